"""Who may use the API at all, and which role permission each action needs.

The API enforces the same rules as the pages: only active staff get in; a view lists the Django
permissions each action requires (the roles in `kefu.accounts.roles` grant them); which *objects* a user
may see or change is decided by the domain (`tickets.access.visible_tickets`, the services' own checks).
"""

from rest_framework.permissions import BasePermission

from kefu.accounts.permissions import load_permissions


class IsStaffUser(BasePermission):
    """The API is for staff and integrations acting as a staff user; customers use the portal."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class HasActionPermissions(IsStaffUser):
    """Active staff holding every permission the view names for this action in `action_permissions`.

    `action_permissions = {"list": ("customers.view_customer",), "create": (...)}`; an action not in the
    table needs nothing beyond being staff.
    """

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        table: dict[str, tuple[str, ...]] = getattr(view, "action_permissions", {})
        needed = table.get(getattr(view, "action", None) or "", ())
        if needed:
            load_permissions(request.user)  # one query for what ModelBackend reads in two
        return request.user.has_perms(needed)
