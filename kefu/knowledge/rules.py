"""Pure knowledge-base rules: the article workflow, when a suggestion counts as a deflection, what changed between versions."""

import difflib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFLECTION_WINDOW = timedelta(minutes=30)


def deflection_outcome(
    *,
    opened_at: datetime,
    tickets_after: list[datetime],
    now: datetime,
    window: timedelta = DEFLECTION_WINDOW,
) -> str | None:
    """A customer opened a suggested article while writing a ticket. If she submits a ticket within the
    window, the article did not deflect it ("ticket"); once the window has passed without one, it did
    ("deflected"); before that nothing is known yet (None)."""
    if any(opened_at <= at <= opened_at + window for at in tickets_after):
        return "ticket"
    if now >= opened_at + window:
        return "deflected"
    return None


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same" | "added" | "removed"
    text: str


_BLOCK_END = re.compile(r"(</(?:p|li|h[1-6]|tr|pre|blockquote|div)>|<br\s*/?>)", re.IGNORECASE)


def _lines(html: str) -> list[str]:
    """The stored HTML as lines: one per block, so a diff shows paragraphs, not one long line."""
    return [line.strip() for line in _BLOCK_END.sub(r"\1\n", html or "").splitlines() if line.strip()]


def revision_diff(old: str, new: str) -> list[DiffLine]:
    """Line diff of two versions' source (the template escapes it: the diff is shown as text, never run)."""
    result = []
    for line in difflib.ndiff(_lines(old), _lines(new)):
        code, text = line[:2], line[2:]
        if code == "  ":
            result.append(DiffLine("same", text))
        elif code == "- ":
            result.append(DiffLine("removed", text))
        elif code == "+ ":
            result.append(DiffLine("added", text))
    return result


# An article's workflow: draft → review → published, back to draft to rework (values of ArticleStatus).
ARTICLE_TRANSITIONS = {
    "draft": {"review", "published"},
    "review": {"draft", "published"},
    "published": {"draft"},
}


def next_statuses(status: str) -> set[str]:
    """The statuses an article in `status` may move to."""
    return ARTICLE_TRANSITIONS.get(str(status), set())
