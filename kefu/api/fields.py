"""Serializer building blocks shared by the apps' API modules: strict input, safe JSON values."""

import copy
import threading
from collections.abc import Mapping

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_CUSTOM_VALUE_LENGTH = 1000


class BuiltOnceFieldsMixin:
    """For a ModelSerializer: work out its fields from the model once per process, not per instance.

    `ModelSerializer.get_fields` inspects the model and builds every field anew for each serializer (over
    1 ms for a ticket); the result depends only on the class, so keep it and hand each instance a deep
    copy — what DRF does anyway with the fields a plain `Serializer` declares. Labels and help texts stay
    lazy translations, so the language of the request still applies.
    """

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return copy.deepcopy(built)


class _SerializersOfThisThread(threading.local):
    def __init__(self) -> None:
        self.by_class: dict[tuple[type, str | None], serializers.BaseSerializer] = {}


_reused = _SerializersOfThisThread()


def _reused_serializer(serializer_class: type[serializers.BaseSerializer]) -> serializers.BaseSerializer:
    # One per language too: DRF's length and size validators format their message once (lazy_format keeps
    # the first result), so a serializer that answered in Chinese would go on answering in Chinese.
    key = (serializer_class, get_language())
    serializer = _reused.by_class.get(key)
    if serializer is None:
        serializer = _reused.by_class[key] = serializer_class()
    return serializer


def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    """`serializer_class(data=data)`'s validated data, or its ValidationError as `is_valid(raise_exception=True)`
    raises it — from one serializer per class and thread, so its fields are built once, not per request.

    Building a serializer's fields deep-copies every declared field (a query set for each related field):
    a millisecond for a ticket's. DRF's own ListSerializer validates every item with one child serializer
    the same way; this fits serializers without per-request state (no context, no instance).
    """
    serializer = _reused_serializer(serializer_class)
    serializer.initial_data = data
    try:
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
    finally:
        for name in ("initial_data", "_validated_data", "_errors", "_data"):
            serializer.__dict__.pop(name, None)


def represented(
    serializer_class: type[serializers.Serializer], instance, *, context: dict | None = None
) -> dict:
    """`serializer_class(instance, context=context).data`, from one serializer per class and thread (see
    `validated`; ListSerializer likewise represents every item with one child)."""
    serializer = _reused_serializer(serializer_class)
    serializer._context = context or {}
    try:
        return serializer.to_representation(instance)
    finally:
        serializer._context = {}


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo ("stauts") is a 400 instead of silently ignored."""

    default_error_messages = {"unknown_field": _("Unknown field.")}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data.keys() if key not in known)
            if unknown:
                message = self.error_messages["unknown_field"]
                raise serializers.ValidationError({key: [message] for key in unknown})
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]},
        "nullable": False,
        "example": {"order_number": "DD20260101-0042"},
    }
)
class CustomFieldValuesField(serializers.Field):
    """`{"key": value}` with scalar values (text, number, true/false, null): what custom fields hold.

    The service checks keys and types against the configured fields; this refuses shapes no custom field
    could hold (nested objects, NUL characters) before they reach it.
    """

    default_error_messages = {
        "not_object": _("Custom fields must be an object of key: value."),
        "not_scalar": _("%(key)s: a custom field holds text, a number, true/false or null."),
        "too_long": _("%(key)s: the value is too long."),
        "bad_text": _("%(key)s: the text holds characters that are not allowed."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            self.fail("not_object")
        cleaned = {}
        for key, value in data.items():
            key = str(key)
            shown = key[:40]
            if not _clean_text(key):
                raise serializers.ValidationError(self.error_messages["bad_text"] % {"key": shown})
            if value is not None and not isinstance(value, str | int | float | bool):
                raise serializers.ValidationError(self.error_messages["not_scalar"] % {"key": shown})
            if isinstance(value, str):
                if len(value) > MAX_CUSTOM_VALUE_LENGTH:
                    raise serializers.ValidationError(self.error_messages["too_long"] % {"key": shown})
                if not _clean_text(value):
                    raise serializers.ValidationError(self.error_messages["bad_text"] % {"key": shown})
            if isinstance(value, float) and value != value:  # NaN cannot be stored as JSON
                raise serializers.ValidationError(self.error_messages["not_scalar"] % {"key": shown})
            cleaned[key] = value
        return cleaned

    def to_representation(self, value):
        return value


def _clean_text(value: str) -> bool:
    """No NUL (PostgreSQL refuses it) and no lone surrogates (not encodable as UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


TRUE_VALUES = {"true", "1", "yes", "on"}
FALSE_VALUES = {"false", "0", "no", "off", ""}


def query_flag(request, name: str) -> bool:
    """A true/false query parameter; anything else is a 400 naming the parameter."""
    raw = request.query_params.get(name)
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise serializers.ValidationError({name: [_("Use true or false.")]})
