"""Measuring the matcher on a labelled question set (`kefu eval_faq`), without the database."""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .matching import Calibration, Index

# Features the calibration may weigh; all but the priors (`chinese`, `length`) must get a weight ≥ 0.
LEXICAL_FEATURES = ("score", "cosine", "margin", "total_margin", "length", "chinese")
HYBRID_FEATURES = (
    *LEXICAL_FEATURES,
    "similarity",
    "similarity_margin",
    "hybrid",
    "hybrid_margin",
    "agrees",
)
PRIORS = frozenset({"chinese", "length"})


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


def load_queries(path: str | Path, split: str = "all") -> list[Query]:
    """The labelled queries; `split` "fit" or "test" keeps one stable half (see `split_of`)."""
    rows = read_jsonl(path)
    queries = [
        Query(row["query"], None if row.get("gold_id") is None else str(row["gold_id"])) for row in rows
    ]
    return [q for q in queries if split == "all" or split_of(q.text) == split]


def split_of(text: str) -> str:
    """A stable half of any query set: calibration is fitted on "fit" and reported on "test"."""
    return "fit" if int(hashlib.md5(text.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


@dataclass(frozen=True)
class Judged:
    gold_id: str | None
    ranked: tuple[str, ...]
    confidence: float
    features: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def correct(self) -> bool:
        return self.gold_id is not None and self.ranked[:1] == (self.gold_id,)


def judge(index: Index, queries: Iterable[Query]) -> list[Judged]:
    judged = []
    for query in queries:
        matches = index.search(query.text, limit=3)
        top = matches[0] if matches else None
        judged.append(
            Judged(
                query.gold_id,
                tuple(m.entry_id for m in matches),
                top.confidence if top else 0.0,
                dict(top.features) if top else {},
            )
        )
    return judged


def fit_calibration(judged: Sequence[Judged], names: Sequence[str]) -> Calibration:
    """Logistic regression of "the top entry is right" on the named features of the top match.

    An evidence feature that gets a negative weight (collinear with a stronger one) is dropped and the model
    refitted, so the shipped calibration is monotone: more evidence never means less confidence."""
    from sklearn.linear_model import LogisticRegression

    labels = [int(j.correct) for j in judged]
    if len(set(labels)) < 2:
        raise ValueError("the fit needs both right and wrong top answers")
    names = list(names)
    while True:
        rows = [[j.features.get(name, 0.0) for name in names] for j in judged]
        model = LogisticRegression(C=1.0, max_iter=5000).fit(rows, labels)
        weights = dict(zip(names, (float(w) for w in model.coef_[0]), strict=True))
        negative = [n for n, w in weights.items() if w < 0 and n not in PRIORS]
        if not negative:
            return Calibration(
                weights={n: round(w, 4) for n, w in weights.items()},
                intercept=round(float(model.intercept_[0]), 4),
            )
        names.remove(min(negative, key=weights.get))


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
