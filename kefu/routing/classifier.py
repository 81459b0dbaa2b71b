"""The ticket text classifier, independent of the ORM: train on (text, label) pairs, predict with a confidence.

Features are TF-IDF over two streams: words (jieba for Chinese, lower-cased words for English, plus word
bigrams) and character n-grams inside word boundaries (which catch Chinese words jieba splits differently and
English typos). The model is a multinomial logistic regression: nearly as accurate as a linear SVM on these
sets and its probabilities give the confidence that decides between routing and manual triage.
"""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import joblib

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:'[a-z]+)?", re.UNICODE)
_BLANK_OR_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)

HELD_OUT = 0.2  # share of the labelled tickets kept aside to measure a newly trained model
MIN_EXAMPLES = 10  # fewer labelled tickets than this: no model (it would only guess)
# Training memory grows with features x labels: cap the vocabulary (the most frequent terms), and train with
# Newton-CG on float32 features, which keeps a few copies of the weights in float32 where L-BFGS kept ~25 in
# float64 (clinc150, 150 labels: peak 2.06 GB -> 0.57 GB, accuracy 93.2% -> 93.0%; see kefu eval_classifier).
MAX_WORD_FEATURES = 50_000
MAX_CHAR_FEATURES = 100_000
TEXT_LIMIT = 3_000  # characters of a ticket (subject + first message) the classifier reads


def word_tokens(text: str) -> list[str]:
    """Words and word bigrams: jieba splits Chinese runs, English is split on non-letters."""
    text = (text or "")[:TEXT_LIMIT].lower()
    if _CJK.search(text):
        from kefu.knowledge.matching import get_jieba

        words = [t for t in (w.strip() for w in get_jieba().lcut(text, HMM=True)) if t and not _BLANK_OR_PUNCT.fullmatch(t)]
    else:
        words = _TOKEN.findall(text)
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def _clip(texts: Sequence[str]) -> list[str]:
    return [(text or "")[:TEXT_LIMIT] for text in texts]


def build_pipeline(c: float = 20.0):
    """Unfitted scikit-learn pipeline: word and character TF-IDF, then logistic regression."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer=word_tokens, sublinear_tf=True, lowercase=False,
                                      max_features=MAX_WORD_FEATURES, dtype=np.float32)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2,
                                      max_features=MAX_CHAR_FEATURES, dtype=np.float32)),
        ]
    )
    # Newton-CG keeps float32 input in float32 (L-BFGS converts to float64) and needs no L-BFGS history.
    model = LogisticRegression(C=c, max_iter=2000, solver="newton-cg")
    return Pipeline([("features", features), ("model", model)])


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float  # the model's probability of `label`, 0..1


@dataclass(frozen=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float


class _OneText:
    """The fitted pipeline's arithmetic for one text, without scikit-learn's per-call overhead.

    Predicting one ticket through `Pipeline.predict_proba` spends most of its time validating input and
    dispatching jobs, not computing: here the same steps run directly — each TF-IDF stream's counts of the
    known terms, 1 + log(tf), times idf, L2-normalised, side by side; then the linear model's scores and
    their softmax (the logistic function for two labels), as LogisticRegression.predict_proba does.
    """

    def __init__(self, pipeline) -> None:
        import numpy as np

        features, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
        self.streams = []
        offset = 0
        for _name, vectorizer in features.transformer_list:
            self.streams.append(
                (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset, vectorizer.dtype)
            )
            offset += len(vectorizer.vocabulary_)
        self.coef, self.intercept = model.coef_, model.intercept_
        self.classes = model.classes_
        self.np = np

    @staticmethod
    def fits(pipeline) -> bool:
        """Whether the pipeline is the one `build_pipeline` makes (older or other ones take the slow path)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        steps = getattr(pipeline, "named_steps", {})
        features, model = steps.get("features"), steps.get("model")
        if not isinstance(model, LogisticRegression) or getattr(features, "transformer_weights", 1) is not None:
            return False
        return all(
            isinstance(v, TfidfVectorizer) and v.sublinear_tf and v.use_idf and v.norm == "l2" and not v.binary
            for _name, v in features.transformer_list
        )

    def probabilities(self, text: str):
        np = self.np
        columns, values = [], []
        for analyze, vocabulary, idf, offset, dtype in self.streams:
            counts: dict[int, int] = {}
            for term in analyze(text):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            index = np.fromiter(sorted(counts), dtype=np.intp, count=len(counts))
            weight = np.fromiter((counts[i] for i in index), dtype=dtype, count=len(index))
            np.log(weight, weight)
            weight += 1.0
            weight *= idf[index]
            norm = np.sqrt(np.dot(weight.astype(np.float64), weight.astype(np.float64)))
            if norm > 0:
                weight /= norm
            columns.append(index + offset)
            values.append(weight)
        if columns:
            index, weight = np.concatenate(columns), np.concatenate(values)
            scores = self.coef[:, index] @ weight + self.intercept
        else:
            scores = self.intercept.copy()
        if len(self.classes) <= 2:
            positive = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - positive, positive])
        scores = scores - scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()


class Classifier:
    """A fitted pipeline for one kind of label (category codes, team ids …)."""

    def __init__(self, pipeline) -> None:
        self.pipeline = pipeline
        self._one_text: _OneText | None = None

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str]) -> "Classifier":
        if len(set(labels)) < 2:
            raise ValueError("at least two different labels are needed to train a classifier")
        pipeline = build_pipeline()
        pipeline.fit(_clip(texts), [str(label) for label in labels])
        return cls(pipeline)

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.pipeline.classes_]

    def predict(self, text: str) -> Prediction:
        """The likeliest label of one text (a new ticket's), with its probability."""
        if self._one_text is None and _OneText.fits(self.pipeline):
            self._one_text = _OneText(self.pipeline)
        if self._one_text is not None:
            probabilities = self._one_text.probabilities(_clip([text])[0])
        else:
            probabilities = self.pipeline.predict_proba(_clip([text]))[0]
        best = int(probabilities.argmax())
        return Prediction(label=str(self.pipeline.classes_[best]), confidence=float(probabilities[best]))

    def score(self, texts: Sequence[str], labels: Sequence[str]) -> Scores:
        from sklearn.metrics import accuracy_score, f1_score

        if not texts:
            return Scores(n=0, accuracy=0.0, macro_f1=0.0)
        predicted = self.pipeline.predict(_clip(texts))
        gold = [str(label) for label in labels]
        return Scores(
            n=len(gold),
            accuracy=float(accuracy_score(gold, predicted)),
            macro_f1=float(f1_score(gold, predicted, average="macro", zero_division=0)),
        )



def joblib_dumps(obj) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(obj, buffer, compress=3)
    return buffer.getvalue()


def joblib_loads(blob: bytes):
    # Only blobs this module wrote into Kefu's own database are ever loaded (joblib unpickles).
    return joblib.load(io.BytesIO(bytes(blob)))


def train_and_measure(texts: Sequence[str], labels: Sequence[str], *, seed: int = 0) -> tuple[Classifier, Scores]:
    """Measure on a held-out 20% split, then train the kept model on everything."""
    from sklearn.model_selection import train_test_split

    labels = [str(label) for label in labels]
    counts = {label: labels.count(label) for label in set(labels)}
    stratify = labels if min(counts.values()) >= 2 and len(counts) <= len(labels) * HELD_OUT else None
    train_x, test_x, train_y, test_y = train_test_split(
        list(texts), labels, test_size=HELD_OUT, random_state=seed, stratify=stratify
    )
    if len(set(train_y)) < 2:
        scores = Scores(n=0, accuracy=0.0, macro_f1=0.0)
    else:
        scores = Classifier.train(train_x, train_y).score(test_x, test_y)
    return Classifier.train(texts, labels), scores
