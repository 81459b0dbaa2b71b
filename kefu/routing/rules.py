"""Routing rules without the ORM: intake-rule matching, and the scores that pick an agent for a ticket.

Intake rules: which rules a new ticket meets and what they set, in order.

A rule's conditions are all optional; a rule matches when every condition it gives holds. Words match as
case-insensitive substrings (so Chinese needs no tokenizer); any one listed word is enough. A regular
expression runs with a time limit on a capped text, so a careless pattern cannot hang intake. Rules run by
position; a matching rule with `stop` ends the run. When several matching rules set the same field the
earlier rule wins (position is precedence); tags add up.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import time

import regex

PATTERN_MAX_LENGTH = 200
PATTERN_TEXT_LIMIT = 20_000  # characters of subject + message a pattern looks at
PATTERN_TIMEOUT = 0.05  # seconds; a pattern that takes longer counts as not matching

BOTH, SUBJECT, BODY = "both", "subject", "body"
_WORD_SEPARATORS = re.compile(r"[\n,，、;；]+")


@dataclass(frozen=True)
class Facts:
    """What a rule can look at on a new ticket (or a sample pasted into the test form)."""

    channel: str = ""
    subject: str = ""
    body: str = ""
    tier: str = ""
    mailbox: str = ""  # the mailbox's name
    mailbox_id: str = ""
    local_time: time | None = None  # when the ticket came in, in the organisation's zone


@dataclass(frozen=True)
class Actions:
    """What a rule sets; None / "" / () leaves a field alone. Ids, not objects: the caller loads them."""

    category_id: int | None = None
    priority_id: int | None = None
    severity: str = ""
    team_id: int | None = None
    assignee_id: int | None = None
    tags: tuple[str, ...] = ()
    escalate_to: str = ""  # a service level ("L2", "supervisor"): the new ticket is escalated there

    def is_empty(self) -> bool:
        return self == Actions()


@dataclass(frozen=True)
class RuleSpec:
    id: int | None = None
    name: str = ""
    channels: tuple[str, ...] = ()
    mailbox: str = ""
    tiers: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    match_in: str = BOTH
    pattern: str = ""
    time_from: time | None = None
    time_to: time | None = None
    actions: Actions = field(default_factory=Actions)
    stop: bool = True


@dataclass(frozen=True)
class Outcome:
    rule: RuleSpec
    checks: dict[str, bool]  # condition name -> held, only for conditions the rule gives
    matched: bool
    applied: bool  # matched and not cut off by an earlier rule's stop


def parse_words(text: str) -> list[str]:
    """One word or phrase per line (commas and Chinese separators also split); blanks and repeats dropped."""
    seen: list[str] = []
    for word in _WORD_SEPARATORS.split(text or ""):
        word = word.strip()
        if word and word.casefold() not in {w.casefold() for w in seen}:
            seen.append(word[:100])
    return seen


def pattern_error(pattern: str) -> str | None:
    """Why a pattern is not acceptable (too long, does not compile), or None."""
    if len(pattern) > PATTERN_MAX_LENGTH:
        return "too_long"
    try:
        regex.compile(pattern)
    except (regex.error, ValueError, OverflowError):
        return "invalid"
    return None


def pattern_matches(pattern: str, text: str) -> bool:
    try:
        compiled = regex.compile(pattern, regex.IGNORECASE)
        return compiled.search(text[:PATTERN_TEXT_LIMIT], timeout=PATTERN_TIMEOUT) is not None
    except (regex.error, ValueError, OverflowError, TimeoutError):
        return False


def words_match(words: Iterable[str], text: str) -> bool:
    haystack = (text or "").casefold()
    return any(word.casefold() in haystack for word in words if word)


def in_window(moment: time | None, start: time | None, end: time | None) -> bool:
    """start <= moment < end; a window whose end is before its start runs over midnight (22:00–06:00)."""
    if moment is None:
        return False
    if start is not None and end is not None and end < start:
        return moment >= start or moment < end
    return (start is None or moment >= start) and (end is None or moment < end)


def _text(rule: RuleSpec, facts: Facts) -> str:
    if rule.match_in == SUBJECT:
        return facts.subject
    if rule.match_in == BODY:
        return facts.body
    return f"{facts.subject}\n{facts.body}"


def check(rule: RuleSpec, facts: Facts) -> dict[str, bool]:
    """Each condition the rule gives and whether it holds for `facts`."""
    checks: dict[str, bool] = {}
    if rule.channels:
        checks["channel"] = facts.channel in rule.channels
    if rule.mailbox:
        wanted = rule.mailbox.strip().casefold()
        checks["mailbox"] = wanted in {facts.mailbox.strip().casefold(), facts.mailbox_id.strip()} - {""}
    if rule.tiers:
        checks["tier"] = facts.tier in rule.tiers
    if rule.words:
        checks["words"] = words_match(rule.words, _text(rule, facts))
    if rule.pattern:
        checks["pattern"] = pattern_matches(rule.pattern, _text(rule, facts))
    if rule.time_from is not None or rule.time_to is not None:
        checks["time"] = in_window(facts.local_time, rule.time_from, rule.time_to)
    return checks


def evaluate(rules: Sequence[RuleSpec], facts: Facts) -> list[Outcome]:
    """Every rule's verdict in order; `applied` marks those that act (up to the first matching stop rule)."""
    outcomes: list[Outcome] = []
    stopped = False
    for rule in rules:
        checks = check(rule, facts)
        matched = all(checks.values())
        outcomes.append(Outcome(rule=rule, checks=checks, matched=matched, applied=matched and not stopped))
        if matched and rule.stop:
            stopped = True
    return outcomes


def merge(actions: Iterable[Actions]) -> Actions:
    """One set of actions from several rules in order: the first to set a field wins, tags add up."""
    result = Actions()
    tags: list[str] = []
    for action in actions:
        for name in ("category_id", "priority_id", "team_id", "assignee_id", "severity", "escalate_to"):
            if getattr(result, name) in (None, "") and getattr(action, name) not in (None, ""):
                result = replace(result, **{name: getattr(action, name)})
        tags.extend(t for t in action.tags if t not in tags)
    return replace(result, tags=tuple(tags))


def plan(rules: Sequence[RuleSpec], facts: Facts) -> tuple[list[Outcome], Actions]:
    outcomes = evaluate(rules, facts)
    return outcomes, merge(o.rule.actions for o in outcomes if o.applied)


# --- assignment: which agent gets a ticket (the candidates come from kefu.routing.services.assignment) ----

# Values of kefu.accounts.models.AssignmentStrategy and Level, spelled out so this module needs no models.
MANUAL, ROUND_ROBIN, LEAST_OPEN, SKILLS = "manual", "round_robin", "least_open", "skills"
LEVEL_RANK = {"L1": 1, "L2": 2, "L3": 3}
TIER_LEVEL = {"normal": 1, "vip": 2, "svip": 3}  # customer tier -> the level that should serve it


@dataclass(frozen=True)
class Candidate:
    """An agent who may get the ticket now: id, open tickets held, level and skills."""

    pk: int
    load: int
    level: str = "L1"
    skills: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Need:
    """What the ticket asks of an agent (None: no preference)."""

    category: str | None = None
    language: str | None = None
    channel: str | None = None
    tier: str | None = None


def round_robin(candidates: Sequence[Candidate], cursor: int) -> Candidate | None:
    """The next agent by id after the one who got the last ticket, wrapping around."""
    ordered = sorted(candidates, key=lambda c: c.pk)
    return next((c for c in ordered if c.pk > cursor), ordered[0] if ordered else None)


def least_open(candidates: Sequence[Candidate], cursor: int = 0) -> Candidate | None:
    """The agent with the fewest open tickets; ties go round-robin from the cursor."""
    if not candidates:
        return None
    fewest = min(c.load for c in candidates)
    return round_robin([c for c in candidates if c.load == fewest], cursor)


def skill_score(candidate: Candidate, need: Need) -> int | None:
    """How well the agent fits; None when a skill they list rules the ticket out.

    A listed skill that matches counts 10; an agent who lists nothing for a dimension is a generalist
    (0). Levels: reaching the tier's level counts 5, each level above it costs 1 (keep experts free),
    each level short costs 5.
    """
    score = 0
    for key, wanted in (
        ("categories", need.category),
        ("languages", need.language),
        ("channels", need.channel),
    ):
        listed = [str(v).lower() for v in (candidate.skills.get(key) or [])]
        if not wanted or not listed:
            continue
        if wanted.lower() not in listed:
            return None
        score += 10
    required = TIER_LEVEL.get(need.tier or "normal", 1)
    rank = LEVEL_RANK.get(candidate.level, 1)
    score += 5 - (rank - required) if rank >= required else -5 * (required - rank)
    return score


def best_skill(candidates: Sequence[Candidate], need: Need, cursor: int = 0) -> Candidate | None:
    """The best-scoring agent, then the least loaded; None when everyone's listed skills rule them out."""
    scored = [(skill_score(c, need), c) for c in candidates]
    fitting = [(s, c) for s, c in scored if s is not None]
    if not fitting:
        return None
    top = max(s for s, _c in fitting)
    return least_open([c for s, c in fitting if s == top], cursor)


def choose(
    strategy: str, candidates: Sequence[Candidate], *, cursor: int, need: Need
) -> tuple[Candidate | None, str]:
    """The agent for a ticket and the reason the timeline shows (the strategy that decided)."""
    if strategy == ROUND_ROBIN:
        return round_robin(candidates, cursor), strategy
    if strategy == LEAST_OPEN:
        return least_open(candidates, cursor), strategy
    if strategy == SKILLS:
        picked = best_skill(candidates, need, cursor)
        if picked is not None:
            return picked, strategy
        # Nobody's skills fit: the customer is better served by anyone on shift than by no one.
        return least_open(candidates, cursor), LEAST_OPEN
    return None, strategy
