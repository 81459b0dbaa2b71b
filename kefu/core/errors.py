"""Errors raised by services; the API and the htmx layer each map them in one place."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused the request; `message` is shown to the user (translated)."""

    status_code = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    default_message = _("The input is not valid.")


class NotAllowed(DomainError):
    status_code = 403
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    status_code = 404
    default_message = _("Not found.")


class Conflict(DomainError):
    status_code = 409
    default_message = _("This was changed by someone else; reload and try again.")
