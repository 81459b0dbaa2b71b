"""Pure rules of satisfaction surveys: score ranges, how long a link stays open, CSAT and NPS arithmetic.

No ORM here. CSAT follows the common definition (Zendesk, Chatwoot): the share of answers of 4 or 5 on a
1–5 scale. NPS is the share of promoters (9–10) minus the share of detractors (0–6), from -100 to 100.
"""

import re
from datetime import datetime, timedelta

CSAT_SCORES = range(1, 6)
NPS_SCORES = range(0, 11)
SATISFIED_FROM = 4  # CSAT 4 and 5 count as satisfied
PROMOTER_FROM = 9  # NPS 9 and 10
DETRACTOR_UP_TO = 6  # NPS 0 to 6

# A customer may answer, and change the answer, for this long after the ticket was solved.
ANSWER_WINDOW = timedelta(days=7)


def expiry_for(solved_at: datetime) -> datetime:
    return solved_at + ANSWER_WINDOW


def is_open(expires_at: datetime, now: datetime) -> bool:
    return now < expires_at


def valid_csat(score: int | None) -> bool:
    return score is not None and score in CSAT_SCORES


def valid_nps(score: int | None) -> bool:
    """NPS is optional: no answer is valid, a number must be 0–10."""
    return score is None or score in NPS_SCORES


def csat_percent(satisfied: int, answered: int) -> float | None:
    """Share of satisfied answers in percent (one decimal); None without answers (not 0: nothing is known)."""
    if not answered:
        return None
    return round(100 * satisfied / answered, 1)


def net_promoter_score(promoters: int, detractors: int, answered: int) -> float | None:
    """% promoters − % detractors (one decimal), from -100 to 100; None without answers."""
    if not answered:
        return None
    return round(100 * (promoters - detractors) / answered, 1)


# C0 control characters but tab and newline, DEL, and C1: never meant in a comment, and some break displays.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain_comment(text: str) -> str:
    """A comment as plain text: line ends made \\n, control characters dropped, outer blanks trimmed.
    (It is stored and shown as text, escaped: markup in it stays visible characters.)"""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def parse_score(value: object) -> int | None:
    """A score sent as text ("4") or a number; None for anything else (never an exception)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 2:
        return int(value.strip())
    return None
