from rest_framework.pagination import CursorPagination


class KefuCursorPagination(CursorPagination):
    """Cursor pages: constant cost at any depth, no COUNT(*) over a million tickets."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
