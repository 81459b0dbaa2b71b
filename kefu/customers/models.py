"""The CRM: customers, their organisations and channel identities, with personal data encrypted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.crypto import EncryptedTextField


class Tier(models.TextChoices):
    NORMAL = "normal", _("Normal")
    VIP = "vip", _("VIP")
    SVIP = "svip", _("Key account")


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat open-id")
    CHAT = "chat", _("Chat visitor")
    API = "api", _("External id")


class Organization(models.Model):
    """A company several customers belong to."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(models.QuerySet):
    def with_identities(self):
        return self.prefetch_related("identities")


class Customer(models.Model):
    """A person the service center serves; reachable through one or more identities."""

    name = models.CharField(_("name"), max_length=200)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="customers",
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.NORMAL, db_index=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("portal login"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="customer",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        permissions = [("view_customer_pii", _("Can see customers' phone numbers, e-mails and ID numbers in full"))]

    def __str__(self) -> str:
        return self.name

    def identity_values(self, kind: str) -> list[str]:
        """Values of one kind; uses prefetched identities when present (no query per row)."""
        return [i.value for i in self.identities.all() if i.kind == kind]

    @property
    def email(self) -> str:
        values = self.identity_values(IdentityKind.EMAIL)
        return values[0] if values else ""

    @property
    def phone(self) -> str:
        values = self.identity_values(IdentityKind.PHONE)
        return values[0] if values else ""

    @property
    def is_vip(self) -> bool:
        return self.tier != Tier.NORMAL


class Identity(models.Model):
    """One way to reach a customer: an e-mail address, phone number, WeChat open-id, chat visitor id…"""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=10, choices=IdentityKind.choices)
    value = EncryptedTextField(_("value"))
    # HMAC of the normalised value: finds a customer by identity without storing it in clear.
    lookup = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["kind", "lookup"], name="identity_unique_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}"
