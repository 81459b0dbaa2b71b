"""The FAQ bot: answer a customer's question from published FAQ entries, or hand over to a person.

`answer()` is the seam live chat (and e-mail auto-replies) call. The matcher is the same `matching.Index`
the `eval_faq` command measures; the index of published entries is rebuilt when the FAQ changes.
"""

import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max

from . import matching
from .models import FaqEntry, FaqQuestion, Language

DEFAULT_THRESHOLD = 0.6  # clinc150 dev: precision 0.93 on answered questions at coverage 0.44 (see README.md)

# Asking for a person always wins, whatever the matcher thinks.
_HANDOVER_ZH = ("转人工", "人工", "真人", "客服人员")
_HANDOVER_EN = re.compile(r"\b(human|agent|person|representative|operator)s?\b", re.IGNORECASE)


class Reason:
    ANSWERED = "answered"
    ASKED_FOR_HUMAN = "asked_for_human"
    LOW_CONFIDENCE = "low_confidence"
    REPEATED = "repeated"
    EMPTY = "empty"


@dataclass(frozen=True)
class BotAnswer:
    entry: FaqEntry | None
    confidence: float
    reason: str

    @property
    def handover(self) -> bool:
        return self.entry is None


def asks_for_human(text: str) -> bool:
    text = text or ""
    return any(word in text for word in _HANDOVER_ZH) or bool(_HANDOVER_EN.search(text))


def normalize_language(language: str | None) -> str:
    return Language.EN if (language or "").lower().startswith("en") else Language.ZH


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple, matching.Index]] = {}


def faq_index(language: str) -> matching.Index:
    """The index of published FAQ entries in one language, rebuilt only when they changed."""
    entries = FaqEntry.objects.filter(is_published=True, language=language)
    stamp = tuple(entries.aggregate(n=Count("id"), last=Max("updated_at"), q=Count("questions")).values())
    cached = _cache.get(language)
    if cached and cached[0] == stamp:
        return cached[1]
    index = matching.Index(semantic=getattr(settings, "KEFU_FAQ_SEMANTIC", False))
    rows = (
        FaqQuestion.objects.filter(entry__in=entries)
        .values_list("entry_id", "text")
        .order_by("entry_id", "id")
    )
    for entry_id, text in rows:
        index.add(str(entry_id), [text])
    index.build()
    with _cache_lock:
        _cache[language] = (stamp, index)
    return index


def answer(
    question: str,
    language: str | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    previous_questions: tuple[str, ...] = (),
) -> BotAnswer:
    """The published FAQ entry that answers `question` with its confidence, or a hand-over (entry None)."""
    question = (question or "").strip()
    if not question:
        return BotAnswer(None, 0.0, Reason.EMPTY)
    if asks_for_human(question):
        return BotAnswer(None, 0.0, Reason.ASKED_FOR_HUMAN)
    if any(" ".join(question.split()) == " ".join(p.split()) for p in previous_questions):
        return BotAnswer(None, 0.0, Reason.REPEATED)  # the last answer did not help
    language = normalize_language(language or ("zh" if matching.detect_language(question) == "zh" else "en"))
    matches = faq_index(language).search(question, limit=1)
    if not matches:
        return BotAnswer(None, 0.0, Reason.LOW_CONFIDENCE)
    best = matches[0]
    if best.confidence < threshold:
        return BotAnswer(None, best.confidence, Reason.LOW_CONFIDENCE)
    entry = FaqEntry.objects.filter(pk=int(best.entry_id), is_published=True).first()
    if entry is None:
        return BotAnswer(None, 0.0, Reason.LOW_CONFIDENCE)
    return BotAnswer(entry, best.confidence, Reason.ANSWERED)
