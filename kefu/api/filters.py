"""Filter building blocks shared by the apps' API modules."""

from datetime import UTC

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

MAX_ID = 2**63 - 1  # the largest id a BigAutoField holds; larger numbers must not reach the database
EARLIEST_YEAR, LATEST_YEAR = 1900, 9999  # moments a filter accepts (in UTC)


class IdFilter(django_filters.NumberFilter):
    """An object id in a query string: a whole number in the id range, or a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class _MomentField(IsoDateTimeField):
    """An ISO 8601 date and time the database can store: year 1 with a +14:00 offset is before 0001-01-01
    in UTC, which made every comparison raise OverflowError (a 500); such a moment is a 400 instead."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            in_utc = moment.astimezone(UTC) if moment.tzinfo else moment
        except OverflowError:
            in_utc = None
        if in_utc is None or not EARLIEST_YEAR <= in_utc.year <= LATEST_YEAR:
            raise forms.ValidationError(
                _("Enter a date and time between the years %(first)s and %(last)s.")
                % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
            )
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment in a query string (e.g. 2026-01-31T08:00:00+08:00), or a 400 naming the parameter."""

    field_class = _MomentField
