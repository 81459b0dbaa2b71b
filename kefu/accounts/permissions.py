"""Loading a user's role permissions in one query.

Django's `ModelBackend` reads a user's permissions in two queries (those given to the user, those of
their groups — Kefu's roles) the first time a request checks one, and keeps them on the user object.
`load_permissions` fills the same caches with one query, so the checks that follow ask nothing more.
It changes no rule: it only pre-computes exactly what `ModelBackend` would read.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import IntegerField, Value

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
_FROM_USER, _FROM_GROUP = 0, 1


def load_permissions(user) -> None:
    """Read `user`'s permissions (direct and through their groups) at once, as ModelBackend caches them."""
    if (
        not getattr(user, "is_authenticated", False)
        or not user.is_active
        or user.is_superuser  # ModelBackend grants a superuser everything without reading any row
        or hasattr(user, "_perm_cache")
        or list(settings.AUTHENTICATION_BACKENDS) != [_MODEL_BACKEND]
    ):
        return
    fields = get_user_model()._meta
    by_user = {fields.get_field("user_permissions").related_query_name(): user}
    by_group = {f"group__{fields.get_field('groups').related_query_name()}": user}
    columns = ("content_type__app_label", "codename")
    rows = (
        Permission.objects.filter(**by_user)
        .values_list(*columns, Value(_FROM_USER, output_field=IntegerField()))
        .order_by()
        .union(
            Permission.objects.filter(**by_group)
            .values_list(*columns, Value(_FROM_GROUP, output_field=IntegerField()))
            .order_by(),
            all=True,
        )
        .order_by()
    )
    own: set[str] = set()
    from_groups: set[str] = set()
    for app_label, codename, source in rows:
        (own if source == _FROM_USER else from_groups).add(f"{app_label}.{codename}")
    # The attribute names ModelBackend._get_permissions / get_all_permissions look for.
    user._user_perm_cache = own
    user._group_perm_cache = from_groups
    user._perm_cache = own | from_groups


def team_ids(user) -> list[int]:
    """Ids of the teams `user` belongs to, read once per user object (so once per request) and kept on it."""
    cached = getattr(user, "_team_ids_cache", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True)) if user.pk else []
        user._team_ids_cache = cached
    return cached
