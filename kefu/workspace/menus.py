"""What the workspace's menus offer (categories, priorities, teams, active staff, tags, custom fields, macros): one
per-process copy (kefu.core.config_cache), read again only after one of them changed.

Profiled (issue 7): the queue and the ticket page each spent four or five statements per request on these
lists, and the queue's template looped over up to 300 tags and every staff member to write the same
<option> lines. The copy holds those lines ready-made; they show no translated text, so one copy serves
every language (the objects' `label` still picks the request's language when read).

Who may work a ticket (the assignee menu) depends on roles and permissions: that list is never cached here.
The copy's objects are shared by every request of the process: read them, never change them.
"""

from dataclasses import dataclass
from html import escape

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from kefu.accounts.models import Team
from kefu.accounts.permissions import without_read_only_roles
from kefu.core import config_cache
from kefu.tickets.models import Category, CustomField, Macro, Priority, Tag

CACHE_NAME = "workspace.menus"
MAX_TAGS = 300  # the queue's tag suggestions: the first names in alphabetical order
STAFF_COLUMNS = ("id", "username", "display_name", "first_name", "last_name")


@dataclass(frozen=True)
class Menus:
    categories: tuple[Category, ...]  # all of them, active or not, in their order
    priorities: tuple[Priority, ...]
    teams: tuple[Team, ...]
    staff: tuple  # active staff, by name
    tags: tuple[str, ...]
    custom_fields: tuple[CustomField, ...]  # the active ones
    macros: tuple[Macro, ...]  # everyone's, by name (id, name, sharing and owner only)
    tag_options_html: str  # <option value="name"></option> per tag, as the queue's datalist prints them
    staff_options_html: str  # <option value="pk">name</option> per staff member who may work tickets

    @property
    def active_categories(self) -> list[Category]:
        return [category for category in self.categories if category.is_active]

    def macros_of(self, user) -> list[Macro]:
        """The macros `user` may use: the shared ones and their own."""
        return [macro for macro in self.macros if macro.is_shared or macro.owner_id == user.pk]


def menus() -> Menus:
    """The process's copy (one read of the shared configuration version per call)."""
    return config_cache.get(CACHE_NAME, _load)


def load_staff(*, workers_only: bool = False) -> list:
    """Active staff by name, read now: for choosing whom to hand tickets to (services check and cache their
    permissions on the object, which the shared copy must not get). `workers_only`: less the roles that
    only read tickets (analyst, QA inspector, trainer), who cannot be given one."""
    users = get_user_model().objects.filter(is_staff=True, is_active=True)
    if workers_only:
        users = without_read_only_roles(users)
    return list(users.only(*STAFF_COLUMNS).order_by("display_name", "username"))


def _load() -> Menus:
    staff = tuple(load_staff())
    workers = load_staff(workers_only=True)
    tags = tuple(Tag.objects.order_by("name").values_list("name", flat=True)[:MAX_TAGS])
    return Menus(
        categories=tuple(Category.objects.all()),
        priorities=tuple(Priority.objects.all()),
        teams=tuple(Team.objects.all()),
        staff=staff,
        tags=tags,
        custom_fields=tuple(CustomField.objects.filter(is_active=True)),
        macros=tuple(Macro.objects.only("id", "name", "is_shared", "owner_id").order_by("name")),
        tag_options_html="".join(f'<option value="{escape(name)}"></option>' for name in tags),
        staff_options_html="".join(
            f'<option value="{person.pk}">{escape(person.name)}</option>' for person in workers
        ),
    )


# What of a user the staff menus show or choose by: a save touching none of it (a login's `last_login`)
# leaves the copy alone, so logging in does not make every process read its configuration again.
_STAFF_MENU_FIELDS = frozenset({"is_staff", "is_active", *STAFF_COLUMNS})


def _user_saved(sender, update_fields=None, using=None, **kwargs) -> None:
    if update_fields is None or _STAFF_MENU_FIELDS.intersection(update_fields):
        config_cache.changed(using)


def _user_deleted(sender, using=None, **kwargs) -> None:
    config_cache.changed(using)


def watch_staff() -> None:
    """Refresh the copy when a user's name or staff flags change (called once, from the app's ready())."""
    user_model = get_user_model()
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="kefu.workspace.menus:user-save")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid="kefu.workspace.menus:user-delete")
    # A role given or taken changes who may be handed tickets (the bulk-assign menu).
    m2m_changed.connect(
        _roles_changed, sender=user_model.groups.through, dispatch_uid="kefu.workspace.menus:user-roles"
    )


def _roles_changed(sender, action: str = "", using=None, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        config_cache.changed(using)
