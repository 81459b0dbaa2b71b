"""Maps domain errors to API responses: 400 with field messages, 403, 404, 409 — never a 500."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kefu.core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        if exc.field:
            data = {exc.field: [str(exc.message)]}
        else:
            data = {"detail": str(exc.message)}
        return Response(data, status=exc.status_code or status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
