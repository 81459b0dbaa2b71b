"""API tokens and idempotency-key housekeeping.

A staff user calls the API with `Authorization: Token <key>`. Each user has at most one token; the
profile page shows it (`issue_token`) and can replace it (`regenerate_token`) when it may have leaked,
which makes the old key stop working at once. Both are recorded in the audit trail (never the key).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kefu.audit.services import record
from kefu.core.errors import NotAllowed

from .idempotency import KEY_TTL
from .models import IdempotencyKey


def issue_token(*, user, actor=None) -> Token:
    """The user's API token, created on first use. `actor` is who asks (the user, or an admin)."""
    actor = actor or user
    _check_may_manage_token(user=user, actor=actor)
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=user)
        if created:
            record(actor=actor, action="api.token_issue", obj=user)
    return token


def regenerate_token(*, user, actor=None) -> Token:
    """Replace the user's token with a new one; the old key is refused from now on."""
    actor = actor or user
    _check_may_manage_token(user=user, actor=actor)
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        record(actor=actor, action="api.token_regenerate", obj=user)
    return token


def revoke_token(*, user, actor=None) -> None:
    """Delete the user's token: the API refuses it from now on."""
    actor = actor or user
    _check_may_manage_token(user=user, actor=actor)
    with transaction.atomic():
        deleted, _rows = Token.objects.filter(user=user).delete()
        if deleted:
            record(actor=actor, action="api.token_revoke", obj=user)


def _check_may_manage_token(*, user, actor) -> None:
    # Only staff use the API; a user manages their own token, a user manager anyone's.
    if not (user.is_active and user.is_staff):
        raise NotAllowed()
    if actor.pk != user.pk and not actor.has_perm("accounts.manage_users"):
        raise NotAllowed()


def purge_expired_idempotency_keys(*, now: datetime | None = None) -> int:
    """Delete idempotency keys older than 24 hours; returns how many. Run it daily (or more often)."""
    cutoff = (now or timezone.now()) - KEY_TTL
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
