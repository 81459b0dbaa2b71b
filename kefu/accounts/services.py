"""Every change to a staff account or a team goes through one of these functions.

Each checks that the actor may do it, writes the change in a transaction and records an audit row with
the old and new values. Managing people needs `accounts.manage_users`; on top of that only administrators
may grant or revoke the admin role or touch an administrator's account, and only superusers may make a
superuser. People change their own profile, language, presence, password and API token themselves.
"""

import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from kefu.audit.services import record
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.core.events import emit

from . import rules
from .events import PresenceChanged, UserDeactivated
from .models import AssignmentStrategy, Level, Presence, Team, User
from .roles import ROLE_LABELS, roles_of

# Fields `update_user` may change; roles, teams and the password have their own arguments.
USER_FIELDS = (
    "username",
    "email",
    "display_name",
    "first_name",
    "last_name",
    "level",
    "hire_date",
    "skills",
    "max_chats",
    "is_active",
    "is_superuser",
    "language",
    "timezone",
    "shift_calendar",
)
TEAM_FIELDS = (
    "name",
    "name_en",
    "description",
    "lead",
    "is_default",
    "assignment_strategy",
    "max_open_per_agent",
    "shift_calendar",
    "escalation_team",
)
MAX_OPEN_CAP = 500


# --- who may do what -----------------------------------------------------------------------------


def is_admin(user) -> bool:
    """A superuser or a holder of the admin role."""
    if not (user and user.is_authenticated):
        return False
    return rules.is_admin(is_superuser=user.is_superuser, role_codes=roles_of(user))


def can_manage_user(actor, target: User) -> bool:
    """Managers manage staff; administrators' accounts only by administrators, superusers' by superusers."""
    if not (actor and actor.is_authenticated and actor.is_active and actor.has_perm("accounts.manage_users")):
        return False
    if not target.is_staff:
        return False  # portal logins belong to customers and are managed from the customer record
    if target.is_superuser and not actor.is_superuser:
        return False
    return not (is_admin(target) and not is_admin(actor))


def _require_manager(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.has_perm("accounts.manage_users")):
        raise NotAllowed()


def _require_can_manage(actor, target: User) -> None:
    _require_manager(actor)
    if not can_manage_user(actor, target):
        if not target.is_staff:
            raise NotAllowed()
        raise NotAllowed(_("Only an administrator may change an administrator's account."))


def _require_self_or_manager(actor, user: User) -> None:
    if actor is None or actor.pk != user.pk:
        _require_can_manage(actor, user)


# --- staff users ---------------------------------------------------------------------------------


def create_user(
    *,
    actor,
    username: str,
    password: str = "",
    email: str = "",
    display_name: str = "",
    roles: Iterable[str] = (),
    teams: Iterable[Team] = (),
    level: str = Level.L1,
    hire_date: date | None = None,
    skills: dict | None = None,
    max_chats: int = 5,
    is_active: bool = True,
    is_superuser: bool = False,
    language: str = "",
    timezone: str = "",
    shift_calendar=None,
) -> User:
    """Add a staff member with roles and teams. Without a password the account cannot log in until one is set.

    `shift_calendar`: the agent's own working hours (kefu.sla.BusinessCalendar), overriding their teams'."""
    _require_manager(actor)
    user = User(is_staff=True)
    values = {
        "username": username,
        "email": email,
        "display_name": display_name,
        "level": level,
        "hire_date": hire_date,
        "skills": skills or {},
        "max_chats": max_chats,
        "is_active": is_active,
        "is_superuser": is_superuser,
        "language": language,
        "timezone": timezone,
        "shift_calendar": shift_calendar,
    }
    _apply_user_values(actor, user, values)
    roles = sorted(set(roles))
    _check_roles(actor, old=[], new=roles)
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    teams = list(teams)
    _check_staff([], teams=teams)
    with transaction.atomic():
        _save_user(user)
        user.groups.set(Group.objects.filter(name__in=roles))
        for team in teams:
            team.members.add(user)
        changes = {name: [None, _jsonable(getattr(user, name))] for name in values}
        changes["roles"] = [[], roles]
        changes["teams"] = [[], sorted(str(t) for t in teams)]
        record(actor=actor, action="user.create", obj=user, changes=changes)
    return user


def update_user(
    *,
    actor,
    user: User,
    values: Mapping[str, Any],
    roles: Iterable[str] | None = None,
    teams: Iterable[Team] | None = None,
    password: str = "",
) -> User:
    """Change a staff member's fields (keys of USER_FIELDS), and when given their roles, teams and password."""
    unknown = set(values) - set(USER_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown field: %(name)s") % {"name": ", ".join(sorted(unknown))})
    _require_can_manage(actor, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = {name: _jsonable(getattr(user, name)) for name in values}
        if values.get("is_active") is False and user.pk == actor.pk:
            raise InvalidInput(_("You cannot deactivate your own account."), field="is_active")
        _apply_user_values(actor, user, values)
        changes = {
            name: [before[name], _jsonable(getattr(user, name))]
            for name in values
            if before[name] != _jsonable(getattr(user, name))
        }
        if password:
            _check_password(password, user)
            user.set_password(password)
            changes["password"] = [None, "changed"]
        _save_user(user)
        if roles is not None:
            changes.update(_set_roles(actor, user, roles))
        if teams is not None:
            changes.update(_set_teams(user, teams))
        if changes:
            record(actor=actor, action="user.update", obj=user, changes=changes)
        if "is_active" in changes and not user.is_active:
            emit(UserDeactivated(user_id=user.pk))
    return user


def set_roles(*, actor, user: User, roles: Iterable[str]) -> User:
    """Give `user` exactly these roles (codes of `kefu.accounts.roles`)."""
    _require_can_manage(actor, user)
    with transaction.atomic():
        changes = _set_roles(actor, user, roles)
        if changes:
            record(actor=actor, action="user.roles", obj=user, changes=changes)
    return user


def set_user_active(*, actor, user: User, active: bool) -> User:
    """Deactivate (no more logins, no new work) or reactivate a staff member."""
    return update_user(actor=actor, user=user, values={"is_active": active})


def _apply_user_values(actor, user: User, values: Mapping[str, Any]) -> None:
    """Validate and set plain fields; raises InvalidInput naming the field."""
    for name, value in values.items():
        if name == "username":
            value = (value or "").strip()
            if not value:
                raise InvalidInput(_("A username is required."), field="username")
            taken = User.objects.filter(username__iexact=value).exclude(pk=user.pk).exists()
            if taken:
                raise InvalidInput(_("This username is already taken."), field="username")
        elif name == "display_name":
            value = rules.clean_display_name(value)
        elif name in ("email", "first_name", "last_name"):
            value = (value or "").strip()
        elif name == "level" and value not in Level.values:
            raise InvalidInput(_("Unknown level."), field="level")
        elif name == "skills":
            value = rules.clean_skills(value)
        elif name == "max_chats":
            if not isinstance(value, int) or not 0 <= value <= 50:
                raise InvalidInput(_("Maximum chats must be between 0 and 50."), field="max_chats")
        elif name == "language":
            value = _clean_language(value)
        elif name == "timezone":
            value = _clean_timezone(value)
        elif name == "is_superuser" and bool(value) != user.is_superuser and not actor.is_superuser:
            raise NotAllowed(_("Only a superuser may grant or revoke superuser status."))
        setattr(user, name, value)


def _check_roles(actor, *, old: Iterable[str], new: Iterable[str]) -> None:
    unknown = rules.unknown_roles(new)
    if unknown:
        raise InvalidInput(_("Unknown role: %(name)s") % {"name": ", ".join(unknown)}, field="roles")
    if not rules.role_change_allowed(actor_is_admin=is_admin(actor), old=old, new=new):
        raise NotAllowed(_("Only an administrator may grant or revoke the administrator role."))


def _set_roles(actor, user: User, roles: Iterable[str]) -> dict:
    old = sorted(code for code in user.groups.values_list("name", flat=True) if code in ROLE_LABELS)
    new = sorted(set(roles))
    _check_roles(actor, old=old, new=new)
    if old == new:
        return {}
    keep_other_groups = user.groups.exclude(name__in=ROLE_LABELS.keys())
    user.groups.set([*keep_other_groups, *Group.objects.filter(name__in=new)])
    return {"roles": [old, new]}


def _set_teams(user: User, teams: Iterable[Team]) -> dict:
    teams = list(teams)
    _check_staff([], teams=teams)
    old = set(user.teams.all())
    new = set(teams)
    if old == new:
        return {}
    user.teams.set(teams)
    return {"teams": [sorted(t.name for t in old), sorted(t.name for t in new)]}


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password")


def _save_user(user: User) -> None:
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise InvalidInput(_("This username is already taken."), field="username")


# --- one's own account ---------------------------------------------------------------------------


def update_profile(
    *, user: User, actor, display_name: str, language: str, timezone: str, presence: str
) -> User:
    """A person changes their own display name, language, time zone and presence."""
    _require_self_or_manager(actor, user)
    if presence not in Presence.values:
        raise InvalidInput(_("Unknown presence."), field="presence")
    values = {
        "display_name": rules.clean_display_name(display_name),
        "language": _clean_language(language),
        "timezone": _clean_timezone(timezone),
        "presence": presence,
    }
    with transaction.atomic():
        changes = _save_changes(user, values)
        if changes:
            record(actor=actor, action="user.profile", obj=user, changes=changes)
    if "presence" in changes:
        emit(PresenceChanged(user_id=user.pk, presence=presence))
    return user


def set_language(*, user: User, language: str) -> User:
    """Remember the interface language a person chose; it wins over the browser's from then on."""
    language = _clean_language(language)
    if user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)
    return user


def set_presence(*, user: User, presence: str) -> User:
    """Online, away or offline: whether chats and pushed work may be offered to this person."""
    if presence not in Presence.values:
        raise InvalidInput(_("Unknown presence."), field="presence")
    if user.presence != presence:
        user.presence = presence
        User.objects.filter(pk=user.pk).update(presence=presence)
        emit(PresenceChanged(user_id=user.pk, presence=presence))
    return user


def change_password(*, user: User, actor, password: str) -> User:
    """Set a new password (already confirmed by the form); the caller keeps the session valid."""
    _require_self_or_manager(actor, user)
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(actor=actor, action="user.set_password", obj=user)
    return user


def regenerate_api_token(*, user: User, actor) -> Token:
    """Create the staff member's API token, replacing (and so revoking) any earlier one."""
    _require_self_or_manager(actor, user)
    if not (user.is_staff and user.is_active):
        raise NotAllowed(_("Only active staff may have an API token."))
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0] > 0
        token = Token.objects.create(user=user)
        record(actor=actor, action="user.api_token", obj=user, changes={"api_token": [replaced, "new"]})
    return token


def revoke_api_token(*, user: User, actor) -> None:
    """Delete the API token: integrations using it stop working at once."""
    _require_self_or_manager(actor, user)
    with transaction.atomic():
        if Token.objects.filter(user=user).delete()[0]:
            record(actor=actor, action="user.api_token", obj=user, changes={"api_token": [True, None]})


# --- teams ---------------------------------------------------------------------------------------


def create_team(
    *,
    actor,
    name: str,
    name_en: str = "",
    description: str = "",
    lead: User | None = None,
    members: Iterable[User] = (),
    is_default: bool = False,
    assignment_strategy: str = AssignmentStrategy.MANUAL,
    max_open_per_agent: int = 0,
    shift_calendar=None,
    escalation_team: Team | None = None,
) -> Team:
    """Add a team; `is_default` makes it the one unrouted tickets land in (taking that from any other)."""
    _require_manager(actor)
    team = Team()
    members = list(members)
    values = {
        "name": name,
        "name_en": name_en,
        "description": description,
        "lead": lead,
        "is_default": is_default,
        "assignment_strategy": assignment_strategy,
        "max_open_per_agent": max_open_per_agent,
        "shift_calendar": shift_calendar,
        "escalation_team": escalation_team,
    }
    _apply_team_values(team, values, members)
    with transaction.atomic():
        if is_default:
            _clear_other_default_teams(actor, team)
        _save_team(team)
        team.members.set(members)
        changes = {key: [None, _jsonable(getattr(team, key))] for key in values}
        changes["members"] = [[], sorted(m.username for m in members)]
        record(actor=actor, action="team.create", obj=team, changes=changes)
    return team


def update_team(
    *, actor, team: Team, values: Mapping[str, Any], members: Iterable[User] | None = None
) -> Team:
    """Change a team's names, lead, default flag (keys of TEAM_FIELDS) and, when given, its members."""
    _require_manager(actor)
    unknown = set(values) - set(TEAM_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown field: %(name)s") % {"name": ", ".join(sorted(unknown))})
    members = None if members is None else list(members)
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        before = {key: _jsonable(getattr(team, key)) for key in values}
        _apply_team_values(team, values, members or [])
        changes = {
            k: [before[k], _jsonable(getattr(team, k))]
            for k in values
            if before[k] != _jsonable(getattr(team, k))
        }
        if values.get("is_default"):
            _clear_other_default_teams(actor, team)
        _save_team(team)
        if members is not None:
            old = sorted(team.members.values_list("username", flat=True))
            new = sorted(m.username for m in members)
            if old != new:
                team.members.set(members)
                changes["members"] = [old, new]
        if changes:
            record(actor=actor, action="team.update", obj=team, changes=changes)
    return team


def _apply_team_values(team: Team, values: Mapping[str, Any], members: list[User]) -> None:
    for key, value in values.items():
        if key in ("name", "name_en", "description"):
            value = (value or "").strip()
        if key == "name":
            if not value:
                raise InvalidInput(_("A team name is required."), field="name")
            if Team.objects.filter(name=value).exclude(pk=team.pk).exists():
                raise InvalidInput(_("A team with this name already exists."), field="name")
        if key == "escalation_team" and value is not None and value.pk == team.pk:
            raise InvalidInput(_("A team cannot be its own L2 team."), field="escalation_team")
        if key == "assignment_strategy" and value not in AssignmentStrategy.values:
            raise InvalidInput(_("Unknown assignment strategy."), field="assignment_strategy")
        if key == "max_open_per_agent" and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_OPEN_CAP
        ):
            raise InvalidInput(
                _("The open-ticket limit must be between 0 and %(max)s.") % {"max": MAX_OPEN_CAP},
                field="max_open_per_agent",
            )
        setattr(team, key, value)
    _check_staff([team.lead] if team.lead else [], teams=[])
    _check_staff(members, teams=[])


def _check_staff(users: Iterable[User], *, teams: Iterable[Team]) -> None:
    for user in users:
        if not user.is_staff:
            raise InvalidInput(_("%(name)s is not a staff member.") % {"name": user}, field="members")
    for team in teams:
        if not team.pk:
            raise InvalidInput(_("Unknown team."), field="teams")


def _clear_other_default_teams(actor, team: Team) -> None:
    for other in Team.objects.filter(is_default=True).exclude(pk=team.pk):
        Team.objects.filter(pk=other.pk).update(is_default=False)
        record(actor=actor, action="team.update", obj=other, changes={"is_default": [True, False]})


def _save_team(team: Team) -> None:
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise InvalidInput(_("A team with this name already exists."), field="name")


# --- helpers -------------------------------------------------------------------------------------


def _save_changes(obj: models.Model, values: Mapping[str, Any]) -> dict:
    """Set and save the fields that differ; return {field: [old, new]}."""
    changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(obj, name, value)
    if changes:
        obj.save(update_fields=list(changes))
    return changes


def _clean_language(language: str) -> str:
    language = (language or "").strip().lower()
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise InvalidInput(_("Unsupported language."), field="language")
    return language


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _clean_timezone(name: str) -> str:
    name = (name or "").strip()
    if name and name not in _known_timezones():
        raise InvalidInput(_("Unknown time zone."), field="timezone")
    return name


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value
