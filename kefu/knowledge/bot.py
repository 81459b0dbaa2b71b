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

# The confidence is a calibrated probability that the answer is right (matching.LEXICAL_CALIBRATION), so the
# threshold reads as "answer when at least this likely right". 0.7: clinc150 held-out half, lexical, precision
# 0.93 on answered at coverage 0.79 (hybrid 0.95 / 0.87); README.md has the curves. Setting KEFU_FAQ_THRESHOLD.
DEFAULT_THRESHOLD = 0.7

# Asking for a person always wins, whatever the matcher thinks.
_HANDOVER_ZH = ("转人工", "人工", "真人", "客服人员")
_HANDOVER_EN = re.compile(r"\b(human|agent|person|representative|operator)s?\b", re.IGNORECASE)
# An angry customer gets a person too: words of complaint and abuse, or a run of exclamation marks.
_ANGRY_ZH = tuple(
    "投诉 垃圾 骗子 骗人 坑人 气死 太差 差劲 什么破 破玩意 有病 恶心 无语 烦死 忍无可忍 欺诈 曝光 12315 消协 "
    "举报 退钱 还我钱 他妈 妈的".split()
)
_ANGRY_EN = re.compile(
    r"\b(angry|furious|ridiculous|unacceptable|terrible|awful|worst|useless|scam|fraud|complain(t|ing)?|"
    r"sue|lawyer|wtf|damn|shit|fuck\w*|stupid|pathetic|disgusting)\b",
    re.IGNORECASE,
)
_SHOUTING = re.compile(r"[!！]{3,}")


class Reason:
    ANSWERED = "answered"
    ASKED_FOR_HUMAN = "asked_for_human"
    LOW_CONFIDENCE = "low_confidence"
    REPEATED = "repeated"
    ANGRY = "angry"
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


def sounds_angry(text: str) -> bool:
    """Complaint or abuse words (Chinese or English), or "!!!": a person should take over."""
    text = text or ""
    return any(word in text for word in _ANGRY_ZH) or bool(_ANGRY_EN.search(text) or _SHOUTING.search(text))


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
    threshold: float | None = None,
    previous_questions: tuple[str, ...] = (),
) -> BotAnswer:
    """The published FAQ entry that answers `question` with its confidence, or a hand-over (entry None)."""
    question = (question or "").strip()
    if not question:
        return BotAnswer(None, 0.0, Reason.EMPTY)
    if asks_for_human(question):
        return BotAnswer(None, 0.0, Reason.ASKED_FOR_HUMAN)
    if sounds_angry(question):
        return BotAnswer(None, 0.0, Reason.ANGRY)
    if any(" ".join(question.split()) == " ".join(p.split()) for p in previous_questions):
        return BotAnswer(None, 0.0, Reason.REPEATED)  # the last answer did not help
    language = normalize_language(language or ("zh" if matching.detect_language(question) == "zh" else "en"))
    matches = faq_index(language).search(question, limit=1)
    if not matches:
        return BotAnswer(None, 0.0, Reason.LOW_CONFIDENCE)
    best = matches[0]
    if threshold is None:
        threshold = getattr(settings, "KEFU_FAQ_THRESHOLD", DEFAULT_THRESHOLD)
    if best.confidence < threshold:
        return BotAnswer(None, best.confidence, Reason.LOW_CONFIDENCE)
    entry = FaqEntry.objects.filter(pk=int(best.entry_id), is_published=True).first()
    if entry is None:
        return BotAnswer(None, 0.0, Reason.LOW_CONFIDENCE)
    return BotAnswer(entry, best.confidence, Reason.ANSWERED)
