"""Filter building blocks shared by the apps' API modules."""

import django_filters
from django import forms

MAX_ID = 2**63 - 1  # the largest id a BigAutoField holds; larger numbers must not reach the database


class IdFilter(django_filters.NumberFilter):
    """An object id in a query string: a whole number in the id range, or a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
