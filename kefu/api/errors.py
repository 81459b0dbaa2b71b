"""Maps errors to API responses: 400 with field messages, 403, 404, 409, 413 — never a 500 for bad input.

Domain errors from the services become `{"<field>": ["message"]}` (or `{"detail": "message"}` when the
error names no field), the same shape DRF uses for serializer errors, so a client handles both alike.
Messages are translated into the request's language (Accept-Language, or the user's saved choice).
"""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kefu.core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return _domain_error_response(exc)
    if isinstance(exc, DjangoValidationError):
        # A model or form validator that a service let through: still the client's input, not our bug.
        data = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": _("The request body is too large.")}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        )
    if isinstance(exc, SuspiciousOperation):
        return Response({"detail": _("The request could not be read.")}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        # Django's text ("No Ticket matches the given query.") is English only; DRF's own is translated.
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        # DRF's "No data provided" (a null body) is not in its catalogs: say it in the request's language.
        for key, items in exc.detail.items():
            if isinstance(items, list):
                exc.detail[key] = [
                    _("No data provided.") if item == "No data provided" else item for item in items
                ]
    return drf_exception_handler(exc, context)


def _domain_error_response(exc: DomainError) -> Response:
    message = str(exc.message)
    data = {exc.field: [message]} if exc.field else {"detail": message}
    return Response(data, status=exc.status_code or status.HTTP_400_BAD_REQUEST)
