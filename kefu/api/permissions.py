from rest_framework.permissions import BasePermission


class IsStaffUser(BasePermission):
    """The API is for staff and integrations acting as a staff user; customers use the portal."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)
