"""Create notifications, mark them read, and keep each user's choices.

`notify` is the one door: it drops the actor (nobody hears of their own action), inactive users and
anyone who may not see the ticket, applies each recipient's preferences, and after commit pushes an
in-app hint and queues the e-mail. Nothing here sends mail or talks to sockets inside a transaction.
"""

from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.db import transaction

from kefu.core import clock
from kefu.core.errors import NotAllowed
from kefu.core.events import emit
from kefu.core.tasks import enqueue_on_commit
from kefu.tickets.access import viewers_among
from kefu.tickets.models import Ticket

from . import delivery
from .events import NotificationCreated, NotificationsRead
from .models import DEFAULTS, Kind, Notification, Preference


def preferences_of(user) -> dict[str, tuple[bool, bool]]:
    """Kind → (in the app, by e-mail) for one user, defaults filled in."""
    chosen = {p.kind: (p.in_app, p.by_email) for p in Preference.objects.filter(user_id=user.pk)}
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in Kind.values}


def notify(
    *,
    recipients: Iterable,
    kind: str,
    actor=None,
    ticket: Ticket | None = None,
    params: Mapping | None = None,
) -> list[Notification]:
    """Tell each recipient (once, not the actor) what happened, by the ways each of them chose."""
    from .tasks import send_notification_email

    actor_id = getattr(actor, "pk", None)
    unique = {
        user.pk: user
        for user in recipients
        if user is not None and user.pk != actor_id and user.is_active and user.is_staff
    }
    created: list[Notification] = []
    if not unique:
        return created  # nobody to tell: no query, no transaction
    # Every recipient's choice for this kind in one query (not one per recipient).
    chosen = {
        p.user_id: (p.in_app, p.by_email)
        for p in Preference.objects.filter(user_id__in=list(unique), kind=kind)
    }
    ways = {pk: chosen.get(pk, DEFAULTS[Kind(kind)]) for pk in unique}
    wanting = [user for user in unique.values() if any(ways[user.pk])]
    # Who may see the ticket, for all of them at once (kefu.tickets.access: one permission query).
    receiving = viewers_among(wanting, ticket) if ticket is not None else wanting
    if not receiving:
        return created
    with transaction.atomic():
        now = clock.now()
        for user in receiving:
            in_app, by_email = ways[user.pk]
            note = Notification.objects.create(
                recipient=user,
                kind=kind,
                ticket=ticket,
                actor_id=actor_id,
                params=dict(params or {}),
                in_app=in_app,
                by_email=by_email and bool(user.email),
                created_at=now,
            )
            created.append(note)
            if note.in_app:
                emit(NotificationCreated(notification_id=note.pk, recipient_id=user.pk))
            if note.by_email:
                enqueue_on_commit(send_notification_email, note.pk)
    return created


def mark_read(*, user, notifications: Iterable[Notification] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when none are named); returns how many."""
    queryset = Notification.objects.for_user(user).unread()
    if notifications is not None:
        ids = [n.pk for n in notifications]
        if any(n.recipient_id != user.pk for n in notifications):
            raise NotAllowed()
        queryset = queryset.filter(pk__in=ids)
    with transaction.atomic():
        count = queryset.update(read_at=clock.now())
        if count:
            emit(NotificationsRead(recipient_id=user.pk))
    return count


def unread_count(user) -> int:
    return Notification.objects.for_user(user).unread().count()


def set_preferences(*, user, actor, choices: Mapping[str, tuple[bool, bool]]) -> dict[str, tuple[bool, bool]]:
    """Store what a user wants per kind (in the app, by e-mail); people set only their own."""
    if actor.pk != user.pk:
        raise NotAllowed()
    with transaction.atomic():
        for kind, (in_app, by_email) in choices.items():
            if kind not in Kind.values:
                continue
            Preference.objects.update_or_create(
                user=user, kind=kind, defaults={"in_app": bool(in_app), "by_email": bool(by_email)}
            )
    return preferences_of(user)


# --- the e-mail copy: claimed before it is sent, freed again when sending failed --------------------

EMAIL_RETRY_WINDOW = delivery.GIVE_UP_AFTER  # an e-mail copy still unsent after this is given up
EMAIL_RETRY_AFTER = timedelta(minutes=5)  # younger ones may still be on their way through the queue


def claim_email(*, notification_id: int) -> bool:
    """Claim a notification's e-mail copy for sending (conditional update: two runs never both send it)."""
    return bool(
        Notification.objects.filter(pk=notification_id, by_email=True, emailed_at__isnull=True).update(
            emailed_at=clock.now()
        )
    )


def release_email(*, notification_id: int) -> None:
    """Sending the claimed copy failed: free the claim so the retry sweep sends it again."""
    Notification.objects.filter(pk=notification_id).update(emailed_at=None)


def drop_email(*, notification_id: int) -> None:
    """The claimed copy was refused for good: it was not sent, and the retry sweep must not queue it again.

    The model has no failure field, so this turns the e-mail copy off (`by_email` false, `emailed_at` empty)
    rather than keeping the claim, which would read as sent."""
    Notification.objects.filter(pk=notification_id).update(by_email=False, emailed_at=None)


def requeue_unsent_emails(*, limit: int = 200) -> int:
    """Queue again the e-mail copies not sent yet (a failed send, a lost job), up to a day old."""
    from .tasks import send_notification_email

    moment = clock.now()
    ids = list(
        Notification.objects.filter(
            by_email=True,
            emailed_at__isnull=True,
            created_at__gte=moment - EMAIL_RETRY_WINDOW,
            created_at__lte=moment - EMAIL_RETRY_AFTER,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        enqueue_on_commit(send_notification_email, pk)
    return len(ids)
