"""The base every Kefu API view builds on: JSON only, staff only, role permissions per action, and
Idempotency-Key on every POST."""

from rest_framework import viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer

from .idempotency import IdempotentPostMixin
from .parsers import KefuJSONParser
from .permissions import HasActionPermissions


class KefuViewSet(IdempotentPostMixin, viewsets.GenericViewSet):
    """A GenericViewSet with Kefu's API conventions; add the list/retrieve mixins a resource needs.

    JSON only: DRF's browsable HTML pages need inline scripts the site's CSP refuses; people read the
    API at /api/docs/ instead.
    """

    renderer_classes = [JSONRenderer]
    parser_classes = [KefuJSONParser, MultiPartParser, FormParser]
    permission_classes = [HasActionPermissions]
    # action -> Django permissions required on top of being active staff, e.g. {"create": ("tickets.add_ticket",)}
    action_permissions: dict[str, tuple[str, ...]] = {}
