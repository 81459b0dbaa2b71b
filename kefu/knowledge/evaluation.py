"""Measuring the matcher on a labelled question set (`kefu eval_faq`), without the database."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .matching import Index


@dataclass(frozen=True)
class Query:
    text: str
    gold_id: str | None


def read_jsonl(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_kb(path: str | Path, *, semantic: bool = False) -> Index:
    """A fresh index from `{"id", "questions": [...]}` lines (hybrid with sentence embeddings if `semantic`)."""
    index = Index(semantic=semantic)
    for row in read_jsonl(path):
        index.add(str(row["id"]), row.get("questions") or [])
    return index.build()


def load_queries(path: str | Path) -> list[Query]:
    rows = read_jsonl(path)
    return [Query(row["query"], None if row.get("gold_id") is None else str(row["gold_id"])) for row in rows]


@dataclass(frozen=True)
class Judged:
    gold_id: str | None
    ranked: tuple[str, ...]
    confidence: float


def judge(index: Index, queries: Iterable[Query]) -> list[Judged]:
    judged = []
    for query in queries:
        matches = index.search(query.text, limit=3)
        top = matches[0].confidence if matches else 0.0
        judged.append(Judged(query.gold_id, tuple(m.entry_id for m in matches), top))
    return judged


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summarize(judged: list[Judged], threshold: float) -> dict:
    """Ranking quality on in-scope queries and the answer/hand-over decision at `threshold`."""
    in_scope = [j for j in judged if j.gold_id is not None]
    out_scope = [j for j in judged if j.gold_id is None]
    top1 = sum(1 for j in in_scope if j.ranked[:1] == (j.gold_id,))
    top3 = sum(1 for j in in_scope if j.gold_id in j.ranked[:3])
    mrr = sum(1 / (j.ranked.index(j.gold_id) + 1) for j in in_scope if j.gold_id in j.ranked[:3])
    answered = [j for j in judged if j.ranked and j.confidence >= threshold]
    correct = sum(1 for j in answered if j.gold_id is not None and j.ranked[0] == j.gold_id)
    answered_in_scope = sum(1 for j in answered if j.gold_id is not None)
    handed_over_oos = sum(1 for j in out_scope if not (j.ranked and j.confidence >= threshold))
    return {
        "n": len(judged),
        "top1": _ratio(top1, len(in_scope)),
        "top3": _ratio(top3, len(in_scope)),
        "mrr": round(mrr / len(in_scope), 4) if in_scope else None,
        "answered": len(answered),
        "answered_precision": _ratio(correct, len(answered)),
        "coverage": _ratio(answered_in_scope, len(in_scope)),
        "out_of_scope_handover": _ratio(handed_over_oos, len(out_scope)),
    }


def curve(judged: list[Judged], thresholds: Iterable[float]) -> list[dict]:
    return [{"threshold": t, **summarize(judged, t)} for t in thresholds]
