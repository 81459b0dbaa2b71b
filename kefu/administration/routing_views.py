"""The routing pages of /manage/ (`accounts.manage_configuration`): intake rules in order, a form to try them
on a sample ticket without changing anything, and the classifier's current scores with a retrain button."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.accounts.models import Team, User
from kefu.core.errors import DomainError
from kefu.routing import services
from kefu.routing.models import IntakeRule
from kefu.sla.texts import level_label
from kefu.tickets.models import Category, Priority, Severity

from .routing_forms import RuleForm, SampleForm
from .views import MANAGE_CONFIGURATION, _form_error, requires

NAV = "routing"
CHECK_LABELS = {
    "channel": gettext_lazy("Channel"),
    "mailbox": gettext_lazy("Mailbox"),
    "tier": gettext_lazy("Customer tier"),
    "words": gettext_lazy("Words"),
    "pattern": gettext_lazy("Pattern"),
    "time": gettext_lazy("Time of day"),
}
_ACTION_RELATED = ("set_category", "set_priority", "set_team", "set_assignee")


@requires(MANAGE_CONFIGURATION)
def rules(request: HttpRequest) -> HttpResponse:
    """Every rule in order with its conditions and actions, and the classifier: a fixed number of queries."""
    rows = list(IntakeRule.objects.select_related(*_ACTION_RELATED))
    return render(
        request,
        "administration/routing_rules.html",
        {
            "rules": rows,
            "model": services.current_model_row(),
            "training": services.last_training(),
            "threshold": services.confidence_threshold(),
            "nav": NAV,
        },
    )


@requires(MANAGE_CONFIGURATION)
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(IntakeRule, pk=pk) if pk else None
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_rule(actor=request.user, values=form.service_values(), rule=rule)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": saved})
                return HttpResponseRedirect(reverse("administration:routing_rules"))
        context = {"form": form, "rule": rule, "nav": NAV}
        return render(request, "administration/routing_rule_form.html", context, status=400)
    form = RuleForm(initial=RuleForm.initial_for(rule) if rule else None)
    return render(request, "administration/routing_rule_form.html", {"form": form, "rule": rule, "nav": NAV})


@requires(MANAGE_CONFIGURATION)
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(IntakeRule, pk=pk)
    name = str(rule)
    services.delete_rule(actor=request.user, rule=rule)
    messages.success(request, _("%(name)s was deleted.") % {"name": name})
    return HttpResponseRedirect(reverse("administration:routing_rules"))


@requires(MANAGE_CONFIGURATION)
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(IntakeRule, pk=pk)
    services.move_rule(actor=request.user, rule=rule, up=request.POST.get("direction") != "down")
    return HttpResponseRedirect(reverse("administration:routing_rules"))


def _named(actions) -> dict:
    """The objects a merged set of actions names, for display."""
    return {
        "category": Category.objects.filter(pk=actions.category_id).first() if actions.category_id else None,
        "priority": Priority.objects.filter(pk=actions.priority_id).first() if actions.priority_id else None,
        "team": Team.objects.filter(pk=actions.team_id).first() if actions.team_id else None,
        "assignee": User.objects.filter(pk=actions.assignee_id).first() if actions.assignee_id else None,
        "severity": Severity(actions.severity).label if actions.severity in Severity.values else "",
        "tags": actions.tags,
        "escalate_to": level_label(actions.escalate_to) if actions.escalate_to else "",
    }


@requires(MANAGE_CONFIGURATION)
def rule_test(request: HttpRequest) -> HttpResponse:
    """Try the rules (and the classifier) on a pasted sample; nothing is stored."""
    form = SampleForm(request.POST or None)
    context: dict = {"form": form, "nav": NAV}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results, actions = services.try_rules(
            subject=data["subject"], body=data["body"], channel=data["channel"], tier=data["tier"],
            mailbox=data["mailbox"], at=data["at"],
        )
        version, predictions = services.predict(f"{data['subject']}\n{data['body']}")
        context.update(
            results=[
                (rule, result, [(CHECK_LABELS.get(name, name), held) for name, held in result.checks.items()])
                for rule, result in results
            ],
            outcome=_named(actions),
            nothing=actions.is_empty(),
            version=version,
            predictions=_predictions(predictions),
            threshold=services.confidence_threshold(),
        )
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "administration/routing_test.html", context, status=status)


def _predictions(predictions: dict) -> list[tuple[str, object, float]]:
    """(kind, what it names, confidence) for the classifier's guesses."""
    rows = []
    if "category" in predictions:
        guess = predictions["category"]
        rows.append(("category", Category.objects.filter(code=guess.label).first() or guess.label, guess.confidence))
    if "team" in predictions:
        guess = predictions["team"]
        team = Team.objects.filter(pk=int(guess.label)).first() if guess.label.isdigit() else None
        rows.append(("team", team or guess.label, guess.confidence))
    return rows


@requires(MANAGE_CONFIGURATION)
@require_POST
def retrain(request: HttpRequest) -> HttpResponse:
    """Queue a training; it runs outside this request and the page shows "training…" until it is done."""
    services.request_retrain(actor=request.user)
    messages.success(
        request, _("Retraining has started. The new model is used for new tickets as soon as it is stored.")
    )
    return HttpResponseRedirect(reverse("administration:routing_rules"))


@requires(MANAGE_CONFIGURATION)
def training(request: HttpRequest) -> HttpResponse:
    """The training status the page polls while one waits or runs; when it has finished, reload the page
    (its scores table shows the new model)."""
    job = services.last_training()
    if request.headers.get("HX-Request") and (job is None or not job.is_active):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "administration/_routing_training.html", {"training": job})
