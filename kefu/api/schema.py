"""The OpenAPI schema and the interactive docs (Swagger UI from drf-spectacular-sidecar, no CDN).

Both are for staff, like the API. The docs page works under the site's Content-Security-Policy: its
scripts are our static files plus one inline start-up script carrying the request's CSP nonce.
"""

from django.contrib.auth.views import redirect_to_login
from django.urls import NoReverseMatch
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import AllowAny

from .permissions import IsStaffUser


class SchemaView(SpectacularAPIView):
    """OpenAPI 3 (YAML by default; JSON with `?format=json` or `Accept: application/vnd.oai.openapi+json`)."""

    permission_classes = [IsStaffUser]


class DocsView(SpectacularSwaggerView):
    """Swagger UI; a signed-out browser is sent to the login page first."""

    template_name = "api/swagger_ui.html"
    permission_classes = [AllowAny]  # checked in get(), to redirect people rather than answer 401
    url_name = "api:schema"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not IsStaffUser().has_permission(request, self):
            if request.user.is_authenticated:
                raise PermissionDenied()
            try:
                return redirect_to_login(request.get_full_path())
            except NoReverseMatch:
                raise NotAuthenticated()
        return super().get(request, *args, **kwargs)
