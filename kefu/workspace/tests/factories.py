"""Factories the workspace tests need beyond the shared ones in kefu/tests/factories.py."""

import factory

from kefu.tickets.models import Tag


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"标签{n}")
