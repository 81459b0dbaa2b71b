"""Factories for SLA configuration."""

from datetime import timedelta

import factory

from kefu.sla.models import BusinessCalendar, SlaPolicy


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    use_china_holidays = False


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    name = factory.Sequence(lambda n: f"Policy {n}")
    first_response = timedelta(hours=4)
    resolution = timedelta(hours=24)
    business_time = False
