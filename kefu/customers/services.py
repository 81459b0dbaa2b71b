"""Creating and finding customers and their identities; revealing personal data (audited)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kefu.audit.services import record
from kefu.core.crypto import lookup_hash
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.core.prepared import prepared

from .models import Customer, Identity, IdentityKind, Tier
from .rules import normalize_identity


def find_customer(*, kind: str, value: str) -> Customer | None:
    """The customer owning this identity, if any."""
    normalized = normalize_identity(kind, value)
    if not normalized:
        return None
    return _customer_by_identity.first(kind, lookup_hash(normalized))


@prepared(str, str)
def _customer_by_identity(kind, lookup):
    """(kind, lookup) is unique: one row at most, so no ORDER BY, and no identity value to read and decrypt.
    Compiled once per process: every message from a channel looks its sender up."""
    return Customer.objects.filter(identities__kind=kind, identities__lookup=lookup).order_by()[:1]


def find_or_create_customer(*, kind: str, value: str, name: str = "", language: str = "") -> Customer:
    """Resolve a channel identity to a customer, creating both when new; safe when two requests race."""
    if kind not in IdentityKind.values:
        raise InvalidInput(_("Unknown identity kind."), field="kind")
    normalized = normalize_identity(kind, value)
    if not normalized:
        raise InvalidInput(_("A contact address is required."), field="identity")
    existing = find_customer(kind=kind, value=normalized)
    if existing:
        return existing
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                name=(name or "").strip()[:200] or _default_name(kind, normalized),
                language=language or "zh-hans",
            )
            Identity.objects.create(
                customer=customer, kind=kind, value=normalized, lookup=lookup_hash(normalized)
            )
            record(actor=None, action="customer.create", obj=customer)
            return customer
    except IntegrityError:
        # Another process created the same identity between our look-up and insert: use theirs.
        found = find_customer(kind=kind, value=normalized)
        if found is None:
            raise
        return found


def _default_name(kind: str, normalized: str) -> str:
    if kind == IdentityKind.EMAIL:
        return normalized.split("@")[0]
    return normalized[-4:] and _("Customer %(tail)s") % {"tail": normalized[-4:]}


def create_customer(
    *,
    actor,
    name: str,
    email: str = "",
    phone: str = "",
    tier: str = Tier.NORMAL,
    language: str = "zh-hans",
    organization=None,
    notes: str = "",
    tags: list[str] | None = None,
) -> Customer:
    """A staff member adds a customer by hand."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("A name is required."), field="name")
    if tier not in Tier.values:
        raise InvalidInput(_("Unknown tier."), field="tier")
    with transaction.atomic():
        customer = Customer.objects.create(
            name=name[:200],
            tier=tier,
            language=language,
            organization=organization,
            notes=notes,
            tags=tags or [],
        )
        if email:
            add_identity(customer=customer, kind=IdentityKind.EMAIL, value=email, actor=actor)
        if phone:
            add_identity(customer=customer, kind=IdentityKind.PHONE, value=phone, actor=actor)
        record(actor=actor, action="customer.create", obj=customer)
    return customer


def add_identity(*, customer: Customer, kind: str, value: str, actor=None) -> Identity:
    """Attach one more way to reach the customer; refuses an identity that belongs to someone else."""
    normalized = normalize_identity(kind, value)
    if kind == IdentityKind.EMAIL and ("@" not in normalized or len(normalized) > 254):
        raise InvalidInput(_("Enter a valid e-mail address."), field="email")
    if kind == IdentityKind.PHONE and not (5 <= len(normalized.lstrip("+")) <= 20):
        raise InvalidInput(_("Enter a valid phone number."), field="phone")
    owner = find_customer(kind=kind, value=normalized)
    if owner and owner.pk != customer.pk:
        raise InvalidInput(_("This contact already belongs to another customer."), field=kind)
    if owner:
        return customer.identities.get(kind=kind, lookup=lookup_hash(normalized))
    identity = Identity.objects.create(
        customer=customer, kind=kind, value=normalized, lookup=lookup_hash(normalized)
    )
    record(actor=actor, action="customer.add_identity", obj=customer, changes={"identity": [None, kind]})
    return identity


def update_customer(*, customer: Customer, actor, **fields) -> Customer:
    """Change profile fields (name, tier, language, organization, notes, tags, id_number), audited."""
    allowed = {"name", "tier", "language", "organization", "notes", "tags", "id_number"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(_("Unknown field: %(name)s") % {"name": ", ".join(sorted(unknown))})
    if "tier" in fields and fields["tier"] not in Tier.values:
        raise InvalidInput(_("Unknown tier."), field="tier")
    if "name" in fields and not (fields["name"] or "").strip():
        raise InvalidInput(_("A name is required."), field="name")
    changes = {}
    for name, value in fields.items():
        old = getattr(customer, name)
        if old != value:
            masked = name == "id_number"
            changes[name] = ["***" if masked else str(old), "***" if masked else str(value)]
            setattr(customer, name, value)
    if changes:
        with transaction.atomic():
            customer.save()
            record(actor=actor, action="customer.update", obj=customer, changes=changes)
    return customer


def reveal_pii(*, customer: Customer, actor) -> Customer:
    """A permitted user looks at the customer's contact data in full; the look is audited."""
    if not actor.has_perm("customers.view_customer_pii"):
        raise NotAllowed()
    record(actor=actor, action="customer.view_pii", obj=customer)
    return customer
