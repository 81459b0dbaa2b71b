"""Routing a new ticket: intake rules first, then the text classifier for what no rule decided.

Every change to the ticket goes through `kefu.tickets.services.update_ticket` with no actor (the system), after a
timeline event that names the rule or the model version, so agents see why a ticket landed where it did.
A `RoutingDecision` row per ticket (unique) is claimed first: a retried `TicketCreated` routes nothing twice.

The other writes of routing live beside this module: `assignment` (which agent gets a team's ticket, taking
tickets back from absent agents) and `escalation` (an escalated ticket moves to its new level's people).
"""

import copy
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from kefu.accounts.models import Team, User
from kefu.accounts.permissions import is_active_staff
from kefu.audit.services import record
from kefu.core import clock, config_cache
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.core.prepared import prepared
from kefu.sla.services import RULE_REASON, escalate_automatically
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Category, MessageKind, Priority, Severity, Status, Ticket

from .. import classifier, rules
from ..models import ClassifierModel, ClassifierTraining, IntakeRule, MatchIn, RoutingDecision

log = logging.getLogger(__name__)

TRIAGE_TAG = "待分类"  # marks tickets the classifier was not sure about, for manual triage
DEFAULT_THRESHOLD = 0.6
TRAINING_LIMIT = 20_000  # newest solved/closed tickets a retrain learns from
KEEP_MODELS = 3

FactProvider = Callable[[Ticket], Mapping[str, str]]
_fact_providers: list[FactProvider] = []


def register_fact_provider(provider: FactProvider) -> None:
    """Channels add facts only they know (the e-mail mailbox); wired at the composition root."""
    if provider not in _fact_providers:
        _fact_providers.append(provider)


def confidence_threshold() -> float:
    return float(getattr(settings, "ROUTING_CLASSIFIER_THRESHOLD", DEFAULT_THRESHOLD))


def org_zone() -> ZoneInfo:
    name = getattr(settings, "ROUTING_TIME_ZONE", "") or getattr(
        settings, "DEFAULT_USER_TIMEZONE", "Asia/Shanghai"
    )
    return ZoneInfo(name)


# --- the facts and the rules ---------------------------------------------------------------------


def first_text(ticket: Ticket) -> str:
    """The ticket's first customer message or reply, read once per ticket object (rules and classifier)."""
    cached = getattr(ticket, "_routing_first_text", None)
    if cached is None:
        texts = (
            ticket.messages.filter(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
            .order_by("created_at", "id")
            .values_list("body_text", flat=True)
        )
        cached = ticket._routing_first_text = next(iter(texts[:1]), "")
    return cached


def facts_for(ticket: Ticket) -> rules.Facts:
    extra: dict[str, str] = {}
    for provider in _fact_providers:
        extra.update(provider(ticket) or {})
    return rules.Facts(
        channel=ticket.channel,
        subject=ticket.subject,
        body=first_text(ticket),
        tier=ticket.customer.tier,
        mailbox=extra.get("mailbox", ""),
        mailbox_id=extra.get("mailbox_id", ""),
        local_time=ticket.created_at.astimezone(org_zone()).time(),
    )


def spec_of(rule: IntakeRule) -> rules.RuleSpec:
    return rules.RuleSpec(
        id=rule.pk,
        name=rule.name,
        channels=tuple(rule.channels or ()),
        mailbox=rule.mailbox,
        tiers=tuple(rule.tiers or ()),
        words=tuple(rule.words or ()),
        match_in=rule.match_in,
        pattern=rule.pattern,
        time_from=rule.time_from,
        time_to=rule.time_to,
        actions=rules.Actions(
            category_id=rule.set_category_id,
            priority_id=rule.set_priority_id,
            severity=rule.set_severity,
            team_id=rule.set_team_id,
            assignee_id=rule.set_assignee_id,
            tags=tuple(rule.add_tags or ()),
            escalate_to=rule.escalate_to,
        ),
        stop=rule.stop,
    )


def active_rules() -> list[rules.RuleSpec]:
    """The active rules in order (kept per process until configuration changes: kefu.core.config_cache)."""
    return list(config_cache.get("routing.active_rules", _load_active_rules))


def _load_active_rules() -> tuple[rules.RuleSpec, ...]:
    return tuple(spec_of(rule) for rule in IntakeRule.objects.filter(is_active=True))


def _changes_for(actions: rules.Actions) -> ticket_services.TicketChanges:
    """Load what the actions name; anything deleted or switched off since the rule was written is skipped."""
    changes = ticket_services.TicketChanges(add_tags=actions.tags)
    if actions.category_id:
        category = Category.objects.filter(pk=actions.category_id, is_active=True).first()
        if category is not None:
            changes.category = category
    if actions.priority_id:
        priority = Priority.objects.filter(pk=actions.priority_id).first()
        if priority is not None:
            changes.priority = priority
    if actions.severity in Severity.values:
        changes.severity = actions.severity
    if actions.team_id:
        team = Team.objects.filter(pk=actions.team_id).first()
        if team is not None:
            changes.team = team
    if actions.assignee_id:
        assignee = User.objects.filter(pk=actions.assignee_id, is_active=True, is_staff=True).first()
        if assignee is not None:
            changes.assignee = assignee
    return changes


def _claim(ticket: Ticket, **fields) -> RoutingDecision | None:
    """The ticket's decision row, created now; None when it exists (a retried event: routed before)."""
    try:
        with transaction.atomic():
            return RoutingDecision.objects.create(ticket=ticket, **fields)
    except IntegrityError:
        return None


def apply_intake_rules(*, ticket: Ticket, decision: RoutingDecision | None = None) -> RoutingDecision | None:
    """Run the active rules in order on a new ticket, once: returns None when it was routed before.

    `decision`: the ticket's decision row; an unsaved one is stored by the caller (route_new_ticket)."""
    # No savepoint of its own inside route_new_ticket's transaction: an error undoes that whole transaction.
    with transaction.atomic(savepoint=False):
        specs = active_rules()
        outcomes, actions = rules.plan(specs, facts_for(ticket)) if specs else ([], rules.Actions())
        applied = [o.rule for o in outcomes if o.applied]
        found = [{"id": r.id, "name": r.name, "set": _fields_of(r.actions)} for r in applied]
        if decision is None:
            decision = _claim(ticket, rules=found)  # claimed with what the rules did: one INSERT
            if decision is None:
                return None
        else:
            decision.rules = found
            if decision.pk is not None:
                decision.save(update_fields=["rules"])
        if not applied:
            return decision
        for rule in applied:
            ticket_services.record_system_event(
                ticket=ticket, event_type="routing_rule", data={"rule_id": rule.id, "rule": rule.name}
            )
        ticket_services.update_ticket(ticket=ticket, actor=None, changes=_changes_for(actions))
        if actions.escalate_to:
            by = next(r for r in applied if r.actions.escalate_to == actions.escalate_to)
            escalate_automatically(
                ticket=ticket, reason=f"{RULE_REASON}{by.name}", to_level=actions.escalate_to
            )
    return decision


def _fields_of(actions: rules.Actions) -> list[str]:
    names = {
        "category_id": "category",
        "priority_id": "priority",
        "severity": "severity",
        "team_id": "team",
        "assignee_id": "assignee",
        "tags": "tags",
        "escalate_to": "escalation",
    }
    return [field for attr, field in names.items() if getattr(actions, attr)]


@prepared(int)
def _ticket_with_customer(ticket_id):
    return Ticket.objects.select_related("customer").filter(pk=ticket_id).order_by()[:1]


def route_new_ticket(*, ticket_id: int) -> RoutingDecision | None:
    """Intake rules, then the classifier, for a ticket just created on any channel (idempotent)."""
    ticket = _ticket_with_customer.first(ticket_id)
    if ticket is None:
        return None
    try:
        with transaction.atomic():
            # The decision row is written once, last, with what the rules and the classifier did. Its ticket
            # is unique: a retried event's transaction fails there and undoes all it did (routed once).
            decision = apply_intake_rules(ticket=ticket, decision=RoutingDecision(ticket=ticket))
            if decision.rules:  # the rules changed the ticket: the classifier sees it as they left it
                ticket.refresh_from_db()
            classify_ticket(ticket=ticket, decision=decision)
            if decision.pk is None:
                decision.save()
    except IntegrityError:
        if RoutingDecision.objects.filter(ticket_id=ticket_id).exists():
            return None  # routed before
        raise
    return decision


def route_new_tickets(*, ticket_ids: list[int]) -> None:
    """`route_new_ticket` for many new tickets (a batch of jobs). With no active rule and no trained model
    there is nothing to decide: their decision rows, all that routing writes then, are stored in one
    INSERT (rows already there, from a retried job, are left alone). Otherwise each is routed in turn."""
    if active_rules() or current_models()[0] is not None:
        for ticket_id in ticket_ids:
            route_new_ticket(ticket_id=ticket_id)
        return
    existing = Ticket.objects.filter(pk__in=ticket_ids).order_by("pk").values_list("pk", flat=True)
    RoutingDecision.objects.bulk_create(
        [RoutingDecision(ticket_id=pk, rules=[]) for pk in existing], ignore_conflicts=True
    )


# --- the classifier --------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"version": None, "models": {}}


def current_model_row() -> ClassifierModel | None:
    return ClassifierModel.objects.defer("blob").order_by("-version").first()


def current_models() -> tuple[int | None, dict[str, classifier.Classifier]]:
    """The newest trained models, loaded once per process and reloaded when a newer version appears."""
    latest = config_cache.get("routing.latest_model", _latest_model)
    if latest is None:
        return None, {}
    with _cache_lock:
        if _cache["version"] != latest:
            blob = ClassifierModel.objects.filter(pk=latest[0]).values_list("blob", flat=True).first()
            pipelines = classifier.joblib_loads(blob) if blob else {}
            _cache["models"] = {k: classifier.Classifier(p) for k, p in pipelines.items() if p is not None}
            _cache["version"] = latest
        return latest[1], _cache["models"]


def _latest_model() -> tuple[int, int, Any] | None:
    return ClassifierModel.objects.order_by("-version").values_list("pk", "version", "trained_at").first()


@dataclass(frozen=True)
class GuessTargets:
    """What the classifier's labels name: categories by code (active or not), teams by id, the default team."""

    categories: Mapping[str, Category]
    teams: Mapping[int, Team]
    default_team: Team | None

    def category(self, code: str, *, active_only: bool = True) -> Category | None:
        found = self.categories.get(code)
        return copy.copy(found) if found is not None and (found.is_active or not active_only) else None

    def team(self, label: str) -> Team | None:
        found = self.teams.get(int(label)) if label.isdigit() else None
        return copy.copy(found) if found is not None else None


def guess_targets() -> GuessTargets:
    """The categories and teams the classifier's guesses may name (kept per process: kefu.core.config_cache).

    Callers get copies of the rows, so nothing they do to them reaches the process's copy."""
    return config_cache.get("routing.guess_targets", _load_guess_targets)


def _load_guess_targets() -> GuessTargets:
    teams = list(Team.objects.all())  # ordered by name: the first default one, as `.first()` picked it
    return GuessTargets(
        categories={category.code: category for category in Category.objects.all()},
        teams={team.pk: team for team in teams},
        default_team=next((team for team in teams if team.is_default), None),
    )


def predict(text: str) -> tuple[int | None, dict[str, classifier.Prediction]]:
    version, models = current_models()
    return version, {kind: model.predict(text) for kind, model in models.items()}


def classify_ticket(*, ticket: Ticket, decision: RoutingDecision) -> RoutingDecision:
    """Predict category and team for what no rule set; unsure → the default team, tagged for triage."""
    version, models = current_models()
    if version is None:
        return decision
    set_by_rules = {name for r in decision.rules or [] for name in r.get("set", [])}
    targets = guess_targets()
    default_team = copy.copy(targets.default_team)
    wanted = {
        "category": "category" not in set_by_rules and ticket.category_id is None,
        # A team given by the channel (a mailbox's team) counts as routed; the default team does not.
        "team": "team" not in set_by_rules and ticket.team_id in (None, getattr(default_team, "pk", None)),
    }
    text = f"{ticket.subject}\n{first_text(ticket)}"
    predictions = {kind: model.predict(text) for kind, model in models.items() if wanted.get(kind)}
    if not predictions:
        return decision
    want_category, want_team = wanted["category"], wanted["team"]
    threshold = confidence_threshold()
    changes = ticket_services.TicketChanges()
    found: dict[str, Any] = {}  # the category and team the guesses name, for the timeline (read once)
    unsure = False
    decision.model_version = version
    if want_category and "category" in predictions:
        guess = predictions["category"]
        decision.predicted_category, decision.category_confidence = guess.label, guess.confidence
        category = found["category"] = targets.category(guess.label)
        if category is not None and guess.confidence >= threshold:
            changes.category = category
        else:
            unsure = True
    if want_team and "team" in predictions:
        guess = predictions["team"]
        decision.predicted_team, decision.team_confidence = guess.label, guess.confidence
        team = found["team"] = targets.team(guess.label)
        if team is not None and guess.confidence >= threshold:
            changes.team = team
        else:
            unsure = True
            if default_team is not None:  # the front line triages what the model cannot place
                changes.team = default_team
    if unsure:
        decision.needs_triage = True
        changes.add_tags = (TRIAGE_TAG,)
    with transaction.atomic(savepoint=False):  # inside route_new_ticket's transaction: no savepoint needed
        decision.save()
        data = _classified_data(decision, **found)
        ticket_services.record_system_event(ticket=ticket, event_type="classified", data=data)
        ticket_services.update_ticket(ticket=ticket, actor=None, changes=changes)
    return decision


def _classified_data(decision: RoutingDecision, *, category=False, team=False) -> dict:
    """The guesses, with names as they are now (the timeline keeps them as they were).

    `category`, `team`: what the guesses' lookups already found (an active category by code, a team by id),
    so they are not read again; only an inactive category is looked for once more."""
    label = decision.predicted_team
    if decision.predicted_category and not category:
        category = guess_targets().category(decision.predicted_category, active_only=False)
    if team is False:
        team = guess_targets().team(label)
    return {
        "version": decision.model_version,
        "category": ticket_services.names_of(category) if category else decision.predicted_category,
        "category_confidence": _rounded(decision.category_confidence),
        "team": label,
        "team_name": ticket_services.names_of(team) if team and label.isdigit() else "",
        "team_confidence": _rounded(decision.team_confidence),
        "triage": decision.needs_triage,
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def training_examples(limit: int = TRAINING_LIMIT) -> list[tuple[str, str, str]]:
    """(text, category code, team id) of the newest solved and closed tickets; '' where unset."""
    from kefu.tickets.models import Message

    tickets = list(
        Ticket.objects.filter(status__in=[Status.SOLVED, Status.CLOSED])
        .exclude(category__isnull=True, team__isnull=True)
        .order_by("-id")
        .values_list("id", "subject", "category__code", "team_id")[:limit]
    )
    first: dict[int, str] = {}
    messages = (
        Message.objects.filter(ticket_id__in=[t[0] for t in tickets], kind=MessageKind.CUSTOMER)
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "body_text")
    )
    for ticket_id, text in messages.iterator(chunk_size=2000):
        first.setdefault(ticket_id, text)
    return [
        (f"{subject}\n{first.get(pk, '')}", code or "", str(team or ""))
        for pk, subject, code, team in tickets
    ]


def retrain_classifier() -> ClassifierModel | None:
    """Train category and team models on the organisation's solved tickets and store them as a new version."""
    examples = training_examples()
    trained: dict[str, Any] = {}
    scores: dict[str, classifier.Scores] = {}
    for kind, column in (("category", 1), ("team", 2)):
        pairs = [(text, row[column]) for row in examples for text in [row[0]] if row[column]]
        if len(pairs) < classifier.MIN_EXAMPLES or len({label for _t, label in pairs}) < 2:
            continue
        model, scores[kind] = classifier.train_and_measure([p[0] for p in pairs], [p[1] for p in pairs])
        trained[kind] = model.pipeline
    if not trained:
        return None
    with transaction.atomic():
        latest = ClassifierModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
        row = ClassifierModel.objects.create(
            version=latest + 1,
            blob=classifier.joblib_dumps(trained),
            trained_at=clock.now(),
            n=len(examples),
            **_score_fields("category", scores.get("category")),
            **_score_fields("team", scores.get("team")),
        )
        stale = list(ClassifierModel.objects.order_by("-version").values_list("pk", flat=True)[KEEP_MODELS:])
        ClassifierModel.objects.filter(pk__in=stale).delete()
    return row


STALE_TRAINING = timedelta(hours=1)  # a training "running" this long died with its process


def active_training() -> ClassifierTraining | None:
    """The training waiting or running now (one that has run for over an hour counts as dead)."""
    running_since = clock.now() - STALE_TRAINING
    return (
        ClassifierTraining.objects.filter(
            Q(status=ClassifierTraining.Status.QUEUED)
            | Q(status=ClassifierTraining.Status.RUNNING, started_at__gte=running_since)
        )
        .order_by("-requested_at", "-id")
        .first()
    )


def last_training() -> ClassifierTraining | None:
    return ClassifierTraining.objects.order_by("-requested_at", "-id").first()


def request_retrain(*, actor, start: bool = True) -> ClassifierTraining:
    """Queue a retrain, started after commit outside the request (`start`; the daily job runs it itself);
    a second click joins the training already waiting or running."""
    if actor is not None:
        _require(actor)
    from ..tasks import start_training

    with transaction.atomic():
        job = active_training()
        if job is not None:
            return job
        try:
            with transaction.atomic():  # one queued job at most (a unique constraint): two clicks make one
                job = ClassifierTraining.objects.create(requested_by=actor, requested_at=clock.now())
        except IntegrityError:
            return active_training() or last_training()
        if actor is not None:
            record(actor=actor, action="routing.retrain", obj=job, changes={})
        if start:
            transaction.on_commit(partial(start_training, job.pk), robust=True)
    return job


def run_training(*, training_id: int) -> ClassifierTraining | None:
    """Claim a queued training and run it; None when another worker (or an earlier run) took it."""
    claimed = ClassifierTraining.objects.filter(
        pk=training_id, status=ClassifierTraining.Status.QUEUED
    ).update(status=ClassifierTraining.Status.RUNNING, started_at=clock.now())
    if not claimed:
        return None
    status, version, error = ClassifierTraining.Status.TOO_FEW, None, ""
    try:
        model = retrain_classifier()
    except Exception as exc:  # recorded on the job and shown on the page; the next retrain may succeed
        log.exception("classifier training %s failed", training_id)
        status, error = ClassifierTraining.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        if model is not None:
            status, version = ClassifierTraining.Status.DONE, model.version
    ClassifierTraining.objects.filter(pk=training_id).update(
        status=status, version=version, error=error, finished_at=clock.now()
    )
    return ClassifierTraining.objects.get(pk=training_id)


def queued_trainings() -> list[int]:
    """Trainings still waiting (their thread or job was lost): the periodic job runs them."""
    grace = clock.now() - timedelta(seconds=30)  # the worker or thread started for it goes first
    return list(
        ClassifierTraining.objects.filter(status=ClassifierTraining.Status.QUEUED, requested_at__lte=grace)
        .order_by("requested_at")
        .values_list("pk", flat=True)[:5]
    )


def _score_fields(kind: str, scores: classifier.Scores | None) -> dict:
    if scores is None:
        return {}
    return {
        f"{kind}_accuracy": scores.accuracy,
        f"{kind}_macro_f1": scores.macro_f1,
        f"{kind}_test_n": scores.n,
    }


# --- the test form -----------------------------------------------------------------------------


def try_rules(
    *, subject: str, body: str, channel: str = "", tier: str = "", mailbox: str = "", at: time | None = None
) -> tuple[list[tuple[IntakeRule, rules.Outcome]], rules.Actions]:
    """What every rule (active or not) would do with a sample; changes nothing. Inactive rules never apply."""
    facts = rules.Facts(
        channel=channel,
        subject=subject,
        body=body,
        tier=tier,
        mailbox=mailbox,
        mailbox_id=mailbox,
        local_time=at if at is not None else clock.now().astimezone(org_zone()).time(),
    )
    all_rules = list(
        IntakeRule.objects.select_related("set_category", "set_priority", "set_team", "set_assignee")
    )
    outcomes, actions = rules.plan([spec_of(r) for r in all_rules if r.is_active], facts)
    by_id = {o.rule.id: o for o in outcomes}
    result = []
    for rule in all_rules:
        outcome = by_id.get(rule.pk)
        if outcome is None:
            spec = spec_of(rule)
            checks = rules.check(spec, facts)
            outcome = rules.Outcome(rule=spec, checks=checks, matched=all(checks.values()), applied=False)
        result.append((rule, outcome))
    return result, actions


# --- managing rules --------------------------------------------------------------------------------

RULE_FIELDS = (
    "name",
    "is_active",
    "channels",
    "mailbox",
    "tiers",
    "words",
    "match_in",
    "pattern",
    "time_from",
    "time_to",
    "set_category",
    "set_priority",
    "set_severity",
    "set_team",
    "set_assignee",
    "add_tags",
    "escalate_to",
    "stop",
)


def can_manage_rules(actor) -> bool:
    return is_active_staff(actor, "accounts.manage_configuration")


def _require(actor) -> None:
    if not can_manage_rules(actor):
        raise NotAllowed()


def _validate(values: Mapping[str, Any]) -> None:
    if not (values.get("name") or "").strip():
        raise InvalidInput(_("A name is required."), field="name")
    pattern = values.get("pattern") or ""
    error = rules.pattern_error(pattern) if pattern else None
    if error == "too_long":
        raise InvalidInput(
            _("The regular expression is too long (at most %(n)s characters).")
            % {"n": rules.PATTERN_MAX_LENGTH},
            field="pattern",
        )
    if error:
        raise InvalidInput(_("This is not a valid regular expression."), field="pattern")
    if values.get("match_in", MatchIn.SUBJECT_OR_BODY) not in MatchIn.values:
        raise InvalidInput(_("Choose where to look for the words."), field="match_in")


def _audit_value(value):
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, time):
        return value.isoformat()
    return value


def save_rule(*, actor, values: Mapping[str, Any], rule: IntakeRule | None = None) -> IntakeRule:
    """Create (no `rule`, placed last) or change an intake rule."""
    _require(actor)
    _validate(values)
    with transaction.atomic():
        if rule is None:
            rule = IntakeRule(position=(IntakeRule.objects.aggregate(p=Max("position"))["p"] or 0) + 10)
            old = {}
        else:
            rule = IntakeRule.objects.select_for_update().get(pk=rule.pk)
            old = {name: _audit_value(getattr(rule, name)) for name in RULE_FIELDS}
        for name in RULE_FIELDS:
            if name in values:
                setattr(rule, name, values[name])
        rule.name = rule.name.strip()[:100]
        rule.save()
        new = {name: _audit_value(getattr(rule, name)) for name in RULE_FIELDS}
        changes = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
        record(
            actor=actor,
            action="routing.rule.create" if not old else "routing.rule.update",
            obj=rule,
            changes=changes,
        )
    return rule


def delete_rule(*, actor, rule: IntakeRule) -> None:
    _require(actor)
    with transaction.atomic():
        record(actor=actor, action="routing.rule.delete", obj=rule, changes={"name": [rule.name, None]})
        rule.delete()


def move_rule(*, actor, rule: IntakeRule, up: bool) -> None:
    """Swap a rule with its neighbour above (or below); positions are renumbered 10, 20, 30 …"""
    _require(actor)
    with transaction.atomic():
        ids = list(
            IntakeRule.objects.select_for_update().order_by("position", "id").values_list("pk", flat=True)
        )
        index = ids.index(rule.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(ids):
            return
        ids[index], ids[other] = ids[other], ids[index]
        for position, pk in enumerate(ids, start=1):
            IntakeRule.objects.filter(pk=pk).exclude(position=position * 10).update(position=position * 10)
        config_cache.changed()  # QuerySet.update() sends no signal
        record(
            actor=actor, action="routing.rule.move", obj=rule, changes={"position": [index + 1, other + 1]}
        )
