"""Django admin for the CRM (superusers only). Personal data is encrypted and shown masked here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kefu.administration.admin_tools import AuditedAdmin

from .models import Customer, Identity, Organization
from .rules import mask_id_number, mask_identity


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


class IdentityInline(admin.TabularInline):
    """Identities are added by intake and the customer services (which compute the look-up hash)."""

    model = Identity
    fields = ("kind", "masked_value", "created_at")
    readonly_fields = ("kind", "masked_value", "created_at")
    extra = 0
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("value"))
    def masked_value(self, identity: Identity) -> str:
        return mask_identity(identity.kind, identity.value)


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    list_display = ("name", "organization", "tier", "masked_email", "masked_phone", "created_at")
    list_select_related = ("organization",)
    list_filter = ("tier",)
    search_fields = ("name", "=id")
    raw_id_fields = ("organization", "user")
    exclude = ("id_number",)  # encrypted: shown masked, changed through the customer services
    readonly_fields = ("masked_id_number", "created_at", "updated_at")
    inlines = [IdentityInline]

    def get_queryset(self, request):
        # One query for every row's identities instead of one per row.
        return super().get_queryset(request).prefetch_related("identities")

    @admin.display(description=_("e-mail"))
    def masked_email(self, customer: Customer) -> str:
        return mask_identity("email", customer.email)

    @admin.display(description=_("phone"))
    def masked_phone(self, customer: Customer) -> str:
        return mask_identity("phone", customer.phone)

    @admin.display(description=_("ID number"))
    def masked_id_number(self, customer: Customer) -> str:
        return mask_id_number(customer.id_number)
