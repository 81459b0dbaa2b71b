"""What of a customer's personal data a user sees.

Pages and the API show phones, e-mails and ID numbers masked by default. A user with
`customers.view_customer_pii` can ask to reveal them (`services.reveal_pii`), which is recorded in the
audit log; only then are the full values shown. Users without the permission never get them.
"""

from .rules import mask_id_number, mask_identity


def can_see_pii(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("customers.view_customer_pii"))


def shown_identity(user, kind: str, value: str, *, revealed: bool = False) -> str:
    return value if revealed and can_see_pii(user) else mask_identity(kind, value)


def shown_id_number(user, value: str, *, revealed: bool = False) -> str:
    return value if revealed and can_see_pii(user) else mask_id_number(value)
