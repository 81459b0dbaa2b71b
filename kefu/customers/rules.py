"""Pure rules about customer data: normalising identities and masking personal data."""

import re

_NON_DIGIT = re.compile(r"[^\d+]")


def normalize_identity(kind: str, value: str) -> str:
    """The canonical form used for look-ups: e-mails lower-cased, phones digits only (with +)."""
    value = (value or "").strip()
    if kind == "email":
        return value.lower()
    if kind == "phone":
        digits = _NON_DIGIT.sub("", value)
        if digits.startswith("+86"):
            digits = digits[3:]
        elif digits.startswith("0086"):
            digits = digits[4:]
        return digits
    return value


def mask_phone(value: str) -> str:
    """138****5678: keep the first three and the last four digits."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_email(value: str) -> str:
    """z***@example.com: keep the first character of the local part and the domain."""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return mask_phone(value)
    return (local[:1] or "*") + "***@" + domain


def mask_id_number(value: str) -> str:
    """110***********1234 for an 18-digit resident ID: keep the first three and last four."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_identity(kind: str, value: str) -> str:
    if kind == "email":
        return mask_email(value)
    if kind == "phone":
        return mask_phone(value)
    if kind in {"wechat", "chat", "api"}:
        return value[:4] + "****" if len(value) > 4 else "****"
    return mask_phone(value)
