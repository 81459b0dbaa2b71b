"""Cursor pagination for every list endpoint, strict about its parameters.

Cursor pages cost the same at any depth and never COUNT(*) a million tickets. A `page_size` that is not
a whole number between 1 and the maximum, or a cursor that was not issued by us, is a 400 with a message
naming the parameter — a client bug should be loud, not silently answered with some other page.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class KefuCursorPagination(CursorPagination):
    """Cursor pages: constant cost at any depth, no COUNT(*) over a million tickets."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = gettext_lazy("This cursor is not valid; start again from the first page.")

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Enter a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [str(self.invalid_cursor_message)]})


class TimelineCursorPagination(KefuCursorPagination):
    """A ticket's messages, oldest first, the way a conversation reads."""

    ordering = ("created_at", "id")
    page_size = 100
