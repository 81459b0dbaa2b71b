"""The /manage/ pages: staff users and teams (`accounts.manage_users`), ticket configuration
(`accounts.manage_configuration`) and the audit log (`audit.view_auditentry`). Forms parse, services write."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Model, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.accounts import roles
from kefu.accounts import services as accounts_services
from kefu.accounts.decorators import staff_required
from kefu.accounts.models import Team, User
from kefu.audit.labels import action_label
from kefu.audit.models import AuditEntry
from kefu.core.errors import DomainError
from kefu.sla.models import BusinessCalendar, SlaPolicy
from kefu.tickets.models import Category, CustomField, Macro, Priority, Tag

from . import services
from .forms import CategoryForm, CustomFieldForm, MacroForm, PriorityForm, TagForm, TeamForm, UserForm

MANAGE_USERS = "accounts.manage_users"
MANAGE_CONFIGURATION = "accounts.manage_configuration"
VIEW_AUDIT = "audit.view_auditentry"
PAGE_SIZE = 50


def requires(*perms: str):
    """Logged-in active staff holding at least one of `perms`; anyone else gets 403 (or the login page)."""
    return staff_required(any_perm=perms)


def _form_error(form: Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: next to its field when the form has one."""
    name = exc.field if exc.field in form.fields else None
    form.add_error(name, str(exc.message))


def _page(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@requires(MANAGE_USERS, MANAGE_CONFIGURATION, VIEW_AUDIT)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    counts: dict[str, int] = {}
    if user.has_perm(MANAGE_USERS):
        counts["users"] = User.objects.filter(is_staff=True, is_active=True).count()
        counts["teams"] = Team.objects.count()
    if user.has_perm(MANAGE_CONFIGURATION):
        for section in SECTIONS.values():
            counts[section.slug] = section.model.objects.count()
        counts["calendars"] = BusinessCalendar.objects.count()
        counts["sla"] = SlaPolicy.objects.count()
    return render(request, "administration/home.html", {"counts": counts, "sections": SECTIONS.values()})


# --- users ---------------------------------------------------------------------------------------


@requires(MANAGE_USERS)
def users(request: HttpRequest) -> HttpResponse:
    """Staff list with search and role/active filters; a fixed number of queries whatever the page size."""
    qs = User.objects.filter(is_staff=True).prefetch_related("groups", "teams").order_by("username")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__icontains=q))
    role = request.GET.get("role", "")
    if role in roles.ROLE_LABELS:
        qs = qs.filter(groups__name=role)
    state = request.GET.get("state", "active")
    if state == "active":
        qs = qs.filter(is_active=True)
    elif state == "inactive":
        qs = qs.filter(is_active=False)
    page = _page(request, qs)
    actor = request.user
    actor_is_admin = accounts_services.is_admin(actor)
    rows = []
    for u in page.object_list:
        codes = roles.roles_of(u)  # prefetched groups: no query per row
        target_is_admin = u.is_superuser or roles.ADMIN in codes
        manageable = (actor_is_admin or not target_is_admin) and (actor.is_superuser or not u.is_superuser)
        rows.append((u, [roles.role_label(code) for code in codes], manageable))
    return render(
        request,
        "administration/users.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "role": role,
            "state": state,
            "role_labels": roles.ROLE_LABELS.items(),
            "query": _query_without_page(request),
            "nav": "users",
        },
    )


def _user_form(request: HttpRequest, user: User | None = None, data=None) -> UserForm:
    actor = request.user
    kwargs: dict[str, Any] = {
        "actor_is_superuser": actor.is_superuser,
        "actor_is_admin": accounts_services.is_admin(actor),
        "user": user,
    }
    if data is None and user is not None:
        kwargs["initial"] = UserForm.initial_for(user)
    return UserForm(data, **kwargs)


@requires(MANAGE_USERS)
def user_create(request: HttpRequest) -> HttpResponse:
    form = _user_form(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts_services.create_user(
                actor=request.user,
                password=form.cleaned_data["password"],
                roles=form.cleaned_data["roles"],
                teams=form.cleaned_data["teams"],
                **form.service_values(),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": user})
            return HttpResponseRedirect(reverse("administration:users"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "administration/user_form.html",
        {"form": form, "target": None, "nav": "users"},
        status=status,
    )


@requires(MANAGE_USERS)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User.objects.filter(is_staff=True), pk=pk)
    if not accounts_services.can_manage_user(request.user, target):
        raise PermissionDenied
    form = _user_form(request, user=target, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts_services.update_user(
                actor=request.user,
                user=target,
                values=form.service_values(),
                roles=form.cleaned_data["roles"],
                teams=form.cleaned_data["teams"],
                password=form.cleaned_data.get("password") or "",
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": target})
            return HttpResponseRedirect(reverse("administration:users"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "administration/user_form.html",
        {"form": form, "target": target, "nav": "users"},
        status=status,
    )


@requires(MANAGE_USERS)
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or reactivate in one click (active=0/1)."""
    target = get_object_or_404(User.objects.filter(is_staff=True), pk=pk)
    active = request.POST.get("active") == "1"
    accounts_services.set_user_active(actor=request.user, user=target, active=active)
    if active:
        messages.success(request, _("%(name)s was reactivated.") % {"name": target})
    else:
        messages.success(request, _("%(name)s was deactivated.") % {"name": target})
    return HttpResponseRedirect(reverse("administration:users"))


# --- teams ---------------------------------------------------------------------------------------


@requires(MANAGE_USERS)
def teams(request: HttpRequest) -> HttpResponse:
    qs = Team.objects.select_related("lead").annotate(member_count=Count("members")).order_by("name")
    return render(request, "administration/teams.html", {"teams": qs, "nav": "teams"})


@requires(MANAGE_USERS)
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk) if pk else None
    if request.method == "POST":
        form = TeamForm(request.POST, team=team)
        if form.is_valid():
            data = dict(form.cleaned_data)
            members = data.pop("members")
            try:
                if team is None:
                    team = accounts_services.create_team(actor=request.user, members=members, **data)
                else:
                    team = accounts_services.update_team(
                        actor=request.user, team=team, values=data, members=members
                    )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": team})
                return HttpResponseRedirect(reverse("administration:teams"))
        return render(
            request, "administration/team_form.html", {"form": form, "team": team, "nav": "teams"}, status=400
        )
    form = TeamForm(initial=TeamForm.initial_for(team) if team else None, team=team)
    return render(request, "administration/team_form.html", {"form": form, "team": team, "nav": "teams"})


# --- configuration: one set of views for the simple lists --------------------------------------


@dataclass(frozen=True)
class Column:
    label: str | Promise
    value: Callable[[Any], Any]
    kind: str = "text"  # text | bool | color | code


@dataclass(frozen=True)
class Section:
    """A configuration list: its model, form, save and (optional) delete service and its columns."""

    slug: str
    title: str | Promise
    singular: str | Promise
    description: str | Promise
    model: type[Model]
    form_class: type
    save: Callable[..., Model]
    instance_kwarg: str
    columns: tuple[Column, ...]
    delete: Callable[..., None] | None = None
    ordering: tuple[str, ...] = field(default_factory=tuple)

    def values(self, form) -> dict:
        if hasattr(form, "service_values"):
            return form.service_values()
        return {name: form.cleaned_data[name] for name in form.Meta.fields}


def _yes(value: bool) -> bool:
    return bool(value)


SECTIONS: dict[str, Section] = {
    s.slug: s
    for s in (
        Section(
            slug="categories",
            title=gettext_lazy("Categories"),
            singular=gettext_lazy("category"),
            description=gettext_lazy("What contacts are about: inquiry, complaint, order, after-sales …"),
            model=Category,
            form_class=CategoryForm,
            save=services.save_category,
            instance_kwarg="category",
            columns=(
                Column(gettext_lazy("Name"), lambda o: o.name),
                Column(gettext_lazy("English name"), lambda o: o.name_en),
                Column(gettext_lazy("Code"), lambda o: o.code, "code"),
                Column(gettext_lazy("Position"), lambda o: o.position),
                Column(gettext_lazy("Active"), lambda o: o.is_active, "bool"),
            ),
        ),
        Section(
            slug="priorities",
            title=gettext_lazy("Priorities"),
            singular=gettext_lazy("priority"),
            description=gettext_lazy("How urgent tickets are; the default one is given to new tickets."),
            model=Priority,
            form_class=PriorityForm,
            save=services.save_priority,
            instance_kwarg="priority",
            columns=(
                Column(gettext_lazy("Name"), lambda o: o.name),
                Column(gettext_lazy("English name"), lambda o: o.name_en),
                Column(gettext_lazy("Code"), lambda o: o.code, "code"),
                Column(gettext_lazy("Rank"), lambda o: o.rank),
                Column(gettext_lazy("Colour"), lambda o: o.color, "color"),
                Column(gettext_lazy("Default"), lambda o: o.is_default, "bool"),
            ),
        ),
        Section(
            slug="tags",
            title=gettext_lazy("Tags"),
            singular=gettext_lazy("tag"),
            description=gettext_lazy("Free labels on tickets. Agents create new ones as they tag."),
            model=Tag,
            form_class=TagForm,
            save=services.save_tag,
            instance_kwarg="tag",
            delete=services.delete_tag,
            columns=(Column(gettext_lazy("Name"), lambda o: o.name),),
        ),
        Section(
            slug="macros",
            title=gettext_lazy("Macros"),
            singular=gettext_lazy("macro"),
            description=gettext_lazy("Canned replies with variables that can also change the ticket."),
            model=Macro,
            form_class=MacroForm,
            save=services.save_macro,
            instance_kwarg="macro",
            delete=services.delete_macro,
            columns=(
                Column(gettext_lazy("Name"), lambda o: o.name),
                Column(gettext_lazy("Shared"), lambda o: o.is_shared, "bool"),
                Column(gettext_lazy("Owner"), lambda o: o.owner or ""),
                Column(gettext_lazy("Times used"), lambda o: o.usage_count),
            ),
        ),
        Section(
            slug="fields",
            title=gettext_lazy("Custom fields"),
            singular=gettext_lazy("custom field"),
            description=gettext_lazy("Extra ticket fields such as order number or product model."),
            model=CustomField,
            form_class=CustomFieldForm,
            save=services.save_custom_field,
            instance_kwarg="field",
            columns=(
                Column(gettext_lazy("Name"), lambda o: o.name),
                Column(gettext_lazy("Key"), lambda o: o.key, "code"),
                Column(gettext_lazy("Type"), lambda o: o.get_kind_display()),
                Column(gettext_lazy("Required"), lambda o: o.required, "bool"),
                Column(gettext_lazy("Customers see it"), lambda o: o.customer_visible, "bool"),
                Column(gettext_lazy("Active"), lambda o: o.is_active, "bool"),
            ),
        ),
    )
}


def _section(slug: str) -> Section:
    try:
        return SECTIONS[slug]
    except KeyError:
        raise Http404


@requires(MANAGE_CONFIGURATION)
def config_list(request: HttpRequest, section: str) -> HttpResponse:
    sec = _section(section)
    qs = sec.model.objects.all()
    if sec.model is Macro:
        qs = qs.select_related("owner")
    page = _page(request, qs, per_page=100)
    rows = [(obj, [(col, col.value(obj)) for col in sec.columns]) for obj in page.object_list]
    return render(
        request,
        "administration/config_list.html",
        {
            "section": sec,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "nav": sec.slug,
        },
    )


@requires(MANAGE_CONFIGURATION)
def config_edit(request: HttpRequest, section: str, pk: int | None = None) -> HttpResponse:
    sec = _section(section)
    obj = get_object_or_404(sec.model, pk=pk) if pk else None
    if request.method == "POST":
        form = sec.form_class(request.POST, instance=obj or sec.model())
        if form.is_valid():
            try:
                saved = sec.save(actor=request.user, values=sec.values(form), **{sec.instance_kwarg: obj})
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": saved})
                return HttpResponseRedirect(reverse("administration:config", args=[sec.slug]))
        return render(
            request,
            "administration/config_form.html",
            {"section": sec, "form": form, "obj": obj, "nav": sec.slug},
            status=400,
        )
    form = sec.form_class(instance=obj or sec.model())
    return render(
        request,
        "administration/config_form.html",
        {"section": sec, "form": form, "obj": obj, "nav": sec.slug},
    )


@requires(MANAGE_CONFIGURATION)
@require_POST
def config_delete(request: HttpRequest, section: str, pk: int) -> HttpResponse:
    sec = _section(section)
    if sec.delete is None:
        raise Http404
    obj = get_object_or_404(sec.model, pk=pk)
    name = str(obj)
    sec.delete(actor=request.user, **{sec.instance_kwarg: obj})
    messages.success(request, _("%(name)s was deleted.") % {"name": name})
    return HttpResponseRedirect(reverse("administration:config", args=[sec.slug]))


# --- audit log -----------------------------------------------------------------------------------


def _audit_object_types() -> list[tuple[str, str]]:
    """The model labels audit rows are written for, named in the reader's language."""
    from django.apps import apps

    labels = []
    for model in apps.get_models():
        if model._meta.app_label in AUDITED_APPS or model in (Macro, BusinessCalendar, SlaPolicy):
            labels.append((model._meta.label_lower, str(model._meta.verbose_name)))
    return sorted(set(labels), key=lambda item: item[1])


AUDITED_APPS = {"accounts", "customers", "tickets", "audit", "api", "knowledge", "quality", "routing"}


def _audited_model(label: str) -> type[Model] | None:
    from django.apps import apps

    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _type_name(label: str) -> str:
    """An object type ("knowledge.faqentry") by its model's name in the reader's language."""
    model = _audited_model(label)
    return str(model._meta.verbose_name) if model is not None else label


def _field_name(model: type[Model] | None, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name) if model is not None else name
    except (FieldDoesNotExist, AttributeError):  # no such field, or a reverse relation: the stored name
        return name


def _value(value: Any) -> Any:
    """True/False as 是/否 (Yes/No); other values as stored."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _change_rows(changes, model: type[Model] | None = None) -> list[tuple[str, Any, Any, bool]]:
    """(field, old, new, is_pair) for the template, fields by their names in the reader's language;
    tolerates rows whose changes are not [old, new] pairs."""
    if not isinstance(changes, dict):
        return [("", None, _value(changes), False)] if changes else []
    rows = []
    for name, change in changes.items():
        label = _field_name(model, str(name))
        if isinstance(change, list | tuple) and len(change) == 2:
            rows.append((label, _value(change[0]), _value(change[1]), True))
        else:
            rows.append((label, None, _value(change), False))
    return rows


@requires(VIEW_AUDIT)
def audit(request: HttpRequest) -> HttpResponse:
    """Newest first, filtered by object type, object id and actor. Pages by `before` id: no COUNT(*)."""
    qs = AuditEntry.objects.select_related("actor").order_by("-id")
    object_type = request.GET.get("type", "").strip()
    if object_type:
        qs = qs.filter(object_type=object_type)
    object_id = request.GET.get("object", "").strip()
    if object_id:
        qs = qs.filter(object_id=object_id)
    actor = request.GET.get("actor", "").strip()
    if actor:
        qs = qs.filter(actor__username=actor)
    before = request.GET.get("before", "")
    if before.isdecimal() and len(before) < 19:
        qs = qs.filter(id__lt=int(before))
    entries = list(qs[: PAGE_SIZE + 1])
    has_more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("before", None)
    if has_more:
        query["before"] = str(entries[-1].pk)
    object_types = _audit_object_types()
    rows = [
        (
            e,
            _type_name(e.object_type),
            action_label(e.action),
            _change_rows(e.changes, _audited_model(e.object_type)),
        )
        for e in entries
    ]
    return render(
        request,
        "administration/audit.html",
        {
            "rows": rows,
            "has_more": has_more,
            "next_query": query.urlencode(),
            "object_type": object_type,
            "object_id": object_id,
            "actor": actor,
            "object_types": object_types,
            "nav": "audit",
        },
    )
