"""The SLA policy pages of /manage/ (`accounts.manage_configuration`): the policies in evaluation order with
their targets, clock and open tickets, a form per policy, and on/off, move and delete through kefu.sla.policies."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kefu.core.errors import DomainError
from kefu.core.htmx import is_htmx
from kefu.customers.models import Tier
from kefu.sla import policies
from kefu.sla.models import SlaPolicy
from kefu.tickets.models import Category, Channel, Priority, Severity

from .sla_forms import TARGETS, PolicyForm, Unit, split_duration
from .views import MANAGE_CONFIGURATION, _form_error, requires

NAV = "sla"
LIST_TEMPLATE = "administration/sla_policies.html"


@requires(MANAGE_CONFIGURATION)
def policy_list(request: HttpRequest) -> HttpResponse:
    """Every policy in order with its conditions, targets and open tickets: a fixed number of queries."""
    rows = list(SlaPolicy.objects.select_related("calendar").order_by("position", "id"))
    return render(request, LIST_TEMPLATE, {"rows": _rows(rows), "nav": NAV})


def _rows(rows: list[SlaPolicy]) -> list[dict]:
    open_tickets = policies.open_tickets_by_policy(p.pk for p in rows)
    labels = _condition_labels()
    last = len(rows) - 1
    return [
        {
            "policy": policy,
            "open_tickets": open_tickets[policy.pk],
            "conditions": [
                (title, [labels[field].get(code, code) for code in getattr(policy, field) or []])
                for field, title in _condition_titles()
                if getattr(policy, field)
            ],
            "targets": [
                (title, duration_text(getattr(policy, field)))
                for field, title in TARGETS
                if getattr(policy, field)
            ],
            "first": index == 0,
            "last": index == last,
        }
        for index, policy in enumerate(rows)
    ]


def duration_text(value: timedelta) -> str:
    """A target as the form shows it: "4 hours", "3 days", "90 minutes", "30 seconds"."""
    amount, unit = split_duration(value)
    if unit == Unit.DAYS:
        return ngettext("%(n)s day", "%(n)s days", amount) % {"n": amount}
    if unit == Unit.HOURS:
        return ngettext("%(n)s hour", "%(n)s hours", amount) % {"n": amount}
    if unit == Unit.MINUTES:
        return ngettext("%(n)s minute", "%(n)s minutes", amount) % {"n": amount}
    return ngettext("%(n)s second", "%(n)s seconds", amount) % {"n": amount}


def _condition_titles() -> list[tuple[str, str]]:
    return [
        ("categories", _("Category")),
        ("priorities", _("Priority")),
        ("severities", _("Complaint severity")),
        ("tiers", _("Customer tier")),
        ("channels", _("Channel")),
    ]


def _condition_labels() -> dict[str, dict[str, str]]:
    """Code → label in the active language, per condition field (two queries)."""
    return {
        "categories": {c.code: c.label for c in Category.objects.all()},
        "priorities": {p.code: p.label for p in Priority.objects.all()},
        "severities": {code: str(label) for code, label in Severity.choices},
        "tiers": {code: str(label) for code, label in Tier.choices},
        "channels": {code: str(label) for code, label in Channel.choices},
    }


@requires(MANAGE_CONFIGURATION)
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk) if pk else None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                saved = policies.save_policy(actor=request.user, values=form.service_values(), policy=policy)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": saved})
                return HttpResponseRedirect(reverse("administration:sla_policies"))
        return _render_form(request, form, policy, status=400)
    form = PolicyForm(initial=PolicyForm.initial_for(policy) if policy else None)
    return _render_form(request, form, policy)


def _render_form(request, form: PolicyForm, policy: SlaPolicy | None, status: int = 200) -> HttpResponse:
    context = {"form": form, "policy": policy, "nav": NAV}
    if policy is not None:
        context["open_tickets"] = policies.open_tickets_by_policy([policy.pk])[policy.pk]
    return render(request, "administration/sla_policy_form.html", context, status=status)


@requires(MANAGE_CONFIGURATION)
@require_POST
def policy_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a policy on or off; htmx swaps only its row."""
    policy = get_object_or_404(SlaPolicy, pk=pk)
    policy = policies.set_active(actor=request.user, policy=policy, active=request.POST.get("active") == "1")
    if not is_htmx(request):
        return HttpResponseRedirect(reverse("administration:sla_policies"))
    # The row alone; its place in the order (for the move buttons) does not change.
    ordered = list(SlaPolicy.objects.order_by("position", "id").values_list("pk", flat=True))
    policy = SlaPolicy.objects.select_related("calendar").get(pk=policy.pk)
    row = _rows([policy])[0]
    row.update(first=ordered[0] == policy.pk, last=ordered[-1] == policy.pk)
    return render(request, f"{LIST_TEMPLATE}#row", {"row": row})


@requires(MANAGE_CONFIGURATION)
@require_POST
def policy_move(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk)
    policies.move_policy(actor=request.user, policy=policy, up=request.POST.get("direction") != "down")
    return HttpResponseRedirect(reverse("administration:sla_policies"))


@requires(MANAGE_CONFIGURATION)
@require_POST
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk)
    name = str(policy)
    try:
        policies.delete_policy(actor=request.user, policy=policy)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(reverse("administration:sla_policy_edit", args=[pk]))
    messages.success(request, _("%(name)s was deleted.") % {"name": name})
    return HttpResponseRedirect(reverse("administration:sla_policies"))
