"""Loading a user's role permissions in one query.

Django's `ModelBackend` reads a user's permissions in two queries (those given to the user, those of
their groups — Kefu's roles) the first time a request checks one, and keeps them on the user object.
`load_permissions` fills the same caches with one query, so the checks that follow ask nothing more;
`load_permissions_of` does it for several users in that one query.
It changes no rule: it only pre-computes exactly what `ModelBackend` would read.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import IntegerField, Q, Value

from kefu.core.prepared import PreparedQuery

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
_FROM_USER, _FROM_GROUP = 0, 1


def load_permissions(user) -> None:
    """Read `user`'s permissions (direct and through their groups) at once, as ModelBackend caches them."""
    load_permissions_of([user])


def _loads_from_rows(user) -> bool:
    """True when ModelBackend would read `user`'s permissions from rows (and has not yet).

    Not for a superuser: ModelBackend grants them everything without reading any row."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and not user.is_superuser
        and not hasattr(user, "_perm_cache")
        and list(settings.AUTHENTICATION_BACKENDS) == [_MODEL_BACKEND]
    )


def load_permissions_of(users) -> None:
    """`load_permissions` for several users in one query (the recipients of a notification, say)."""
    todo = {user.pk: user for user in users if user is not None and user.pk and _loads_from_rows(user)}
    if not todo:
        return
    found: dict[int, tuple[set[str], set[str]]] = {pk: (set(), set()) for pk in todo}
    for user_id, app_label, codename, source in _permission_rows(list(todo)):
        found[user_id][0 if source == _FROM_USER else 1].add(f"{app_label}.{codename}")
    for pk, (own, from_groups) in found.items():
        # The attribute names ModelBackend._get_permissions / get_all_permissions look for.
        user = todo[pk]
        user._user_perm_cache = own
        user._group_perm_cache = from_groups
        user._perm_cache = own | from_groups


def _permission_query(user_ids: list[int]):
    fields = get_user_model()._meta
    user_path = fields.get_field("user_permissions").related_query_name()
    group_path = f"group__{fields.get_field('groups').related_query_name()}"
    columns = ("content_type__app_label", "codename")
    return (
        Permission.objects.filter(**{f"{user_path}__in": user_ids})
        .values_list(f"{user_path}__pk", *columns, Value(_FROM_USER, output_field=IntegerField()))
        .order_by()
        .union(
            Permission.objects.filter(**{f"{group_path}__in": user_ids})
            .values_list(f"{group_path}__pk", *columns, Value(_FROM_GROUP, output_field=IntegerField()))
            .order_by(),
            all=True,
        )
        .order_by()
    )


# Building that union with the ORM costs more CPU than running it (every API request and notification
# asks it): it is a prepared query (kefu.core.prepared) per number of users, compiled once per process.
_COMPILED_UP_TO = 8  # users at once; more (rare) go through the ORM each time
_PREPARED = {
    count: PreparedQuery(lambda *user_ids: _permission_query(list(user_ids)), (int,) * count)
    for count in range(1, _COMPILED_UP_TO + 1)
}


def _permission_rows(user_ids: list[int]) -> list[tuple[int, str, str, int]]:
    rows = (
        _PREPARED[len(user_ids)].all(*user_ids)
        if len(user_ids) <= _COMPILED_UP_TO
        else _permission_query(user_ids)
    )
    return [(int(uid), app_label, codename, int(source)) for uid, app_label, codename, source in rows]


def load_team_ids(users) -> None:
    """`team_ids` for several users in one query, kept on each user object as `team_ids` keeps them."""
    from kefu.accounts.models import Team

    todo = {user.pk: user for user in users if user.pk and getattr(user, "_team_ids_cache", None) is None}
    if not todo:
        return
    found: dict[int, list[int]] = {pk: [] for pk in todo}
    # Team's own ordering (by name), as `user.teams.values_list` gives them.
    for team_id, user_id in Team.objects.filter(members__in=list(todo)).values_list("pk", "members"):
        found[user_id].append(team_id)
    for pk, ids in found.items():
        todo[pk]._team_ids_cache = ids


def team_ids(user) -> list[int]:
    """Ids of the teams `user` belongs to, read once per user object (so once per request) and kept on it."""
    cached = getattr(user, "_team_ids_cache", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True)) if user.pk else []
        user._team_ids_cache = cached
    return cached


def ticket_workers():
    """The ids of users who may work tickets (`tickets.change_ticket`, through a role or given to them), as
    a subquery: the one definition the assignee menus and routing share."""
    users = get_user_model()
    change_ticket = Permission.objects.filter(content_type__app_label="tickets", codename="change_ticket")
    return users.objects.filter(
        Q(groups__permissions__in=change_ticket) | Q(user_permissions__in=change_ticket)
    ).values("pk")


def without_read_only_roles(users):
    """`users` less those whose roles only read tickets (analyst, QA inspector, trainer with no working role
    beside): automatic assignment and rules never hand them a ticket they could not even reply to. Staff
    with no role at all stay (a manual assignment refuses them with a message; see tickets.services)."""
    from kefu.accounts import roles

    read_only = get_user_model().groups.through.objects.filter(group__name__in=roles.READ_ONLY_ROLES)
    return users.exclude(Q(pk__in=read_only.values("user_id")) & ~Q(pk__in=ticket_workers()))


def is_active_staff(user, permission: str | None = None) -> bool:
    """Whether `user` is a signed-in, active staff member (holding `permission`, when one is named)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and (permission is None or user.has_perm(permission))
    )
