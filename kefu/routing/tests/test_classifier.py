"""The text classifier: learns Chinese and English contacts, predicts with a confidence, survives storage."""

import pytest

from kefu.routing import classifier
from kefu.routing.classifier import Classifier

from .samples import examples


@pytest.fixture(scope="module")
def trained() -> Classifier:
    pairs = examples()
    return Classifier.train([t for t, _label in pairs], [label for _t, label in pairs])


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("订单什么时候发货", "order"),
        ("my delivery has not arrived", "order"),
        ("我要投诉你们的客服", "complaint"),
        ("I want to make a complaint", "complaint"),
        ("登录的时候APP闪退", "tech"),
        ("the app crashes every time", "tech"),
    ],
)
def test_new_bilingual_texts_get_the_label_of_similar_examples(trained, text, label):
    assert trained.predict(text).label == label


def test_confidence_is_a_probability_and_lower_for_gibberish(trained):
    sure = trained.predict("我要投诉客服态度差")
    unsure = trained.predict("xyzzy qwerty")

    assert 0 <= unsure.confidence < sure.confidence <= 1


def test_a_stored_model_predicts_the_same_after_loading(trained):
    blob = classifier.joblib_dumps({"category": trained.pipeline})

    loaded = Classifier(classifier.joblib_loads(blob)["category"])

    assert loaded.predict("快递员态度恶劣") == trained.predict("快递员态度恶劣")


def test_training_measures_on_a_held_out_fifth():
    pairs = examples()

    _model, scores = classifier.train_and_measure([t for t, _l in pairs], [label for _t, label in pairs])

    assert scores.n == round(len(pairs) * classifier.HELD_OUT)
    assert 0.8 <= scores.accuracy <= 1 and 0.8 <= scores.macro_f1 <= 1


def test_one_label_alone_cannot_be_learned():
    with pytest.raises(ValueError):
        Classifier.train(["a", "b"], ["x", "x"])


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("Refund my order", ["refund", "my", "order", "refund my", "my order"]), ("", [])],
)
def test_english_is_split_into_lower_case_words_and_bigrams(text, tokens):
    assert classifier.word_tokens(text) == tokens


def test_chinese_is_split_into_jieba_words_without_punctuation():
    tokens = classifier.word_tokens("我要投诉，快递员！")

    assert "投诉" in tokens and "快递" in tokens and "，" not in tokens and "！" not in tokens


def test_features_and_weights_are_float32_to_halve_training_memory(trained):
    """Memory grows with labels x features; float32 all the way (Newton-CG keeps it) halves it."""
    import numpy as np

    features = trained.pipeline.named_steps["features"].transform(["订单什么时候发货"])

    assert features.dtype == np.float32
    assert trained.pipeline.named_steps["model"].coef_.dtype == np.float32


@pytest.mark.parametrize("labels", [("order", "complaint", "tech"), ("order", "tech")])
def test_one_text_is_predicted_as_the_pipeline_predicts_it(labels):
    """The direct arithmetic for one text (no scikit-learn overhead) gives the pipeline's label and
    probability, for many labels (softmax) and for two (the logistic function)."""
    pairs = [(text, label) for text, label in examples() if label in labels]
    model = Classifier.train([t for t, _ in pairs], [label for _, label in pairs])
    texts = [t for t, _ in pairs] + ["", "完全无关的内容", "zzz qqq", "订单 complaint login 投诉" * 50]
    for text in texts:
        expected = model.pipeline.predict_proba([text])[0]
        got = model.predict(text)
        best = int(expected.argmax())
        assert got.label == str(model.pipeline.classes_[best])
        assert got.confidence == pytest.approx(float(expected[best]), abs=1e-5)


def test_a_pipeline_of_another_shape_is_predicted_by_scikit_learn(trained):
    """A stored model built differently (here: no sublinear tf) still predicts, through the pipeline."""
    from sklearn.base import clone

    texts, labels = zip(*examples(), strict=True)
    pipeline = clone(trained.pipeline).set_params(features__words__sublinear_tf=False)
    other = Classifier(pipeline.fit(list(texts), list(labels)))
    expected = other.pipeline.predict_proba(["我的订单还没有发货"])[0]
    assert other.predict("我的订单还没有发货").confidence == pytest.approx(float(expected.max()))
    assert other._one_text is None
