"""The matcher's confidence is a calibrated probability: monotone in the evidence, fitted honestly."""

import pytest

from kefu.knowledge import evaluation, matching
from kefu.knowledge.evaluation import Judged

SHIPPED = {"lexical": matching.LEXICAL_CALIBRATION, "hybrid": matching.HYBRID_CALIBRATION}
EVIDENCE = [n for n in evaluation.HYBRID_FEATURES if n not in evaluation.PRIORS]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_calibrations_weigh_every_evidence_feature_non_negatively(name):
    calibration = SHIPPED[name]
    assert calibration.weights, "the shipped calibration has fitted weights"
    assert all(w >= 0 for n, w in calibration.weights.items() if n not in evaluation.PRIORS)


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("feature", EVIDENCE)
def test_more_evidence_never_lowers_the_confidence(name, feature):
    calibration = SHIPPED[name]
    base = {"score": 0.5, "cosine": 0.5, "margin": 0.2, "total_margin": 0.2, "length": 2.0, "chinese": 1.0}
    base |= {"similarity": 0.6, "similarity_margin": 0.05, "hybrid": 0.5, "hybrid_margin": 0.05}
    values = [calibration({**base, feature: x / 10}) for x in range(11)]
    assert values == sorted(values)
    assert all(0.0 < v < 1.0 for v in values)


def test_an_exact_question_is_answered_with_more_confidence_than_a_loose_paraphrase():
    index = matching.Index()
    index.add("refund", ["退款多久到账", "退款什么时候到账"])
    index.add("password", ["怎么修改登录密码"])
    index.add("invoice", ["怎么开发票"])
    index.build()
    exact = index.search("退款多久到账")[0]
    loose = index.search("钱什么时候能回来")
    assert exact.entry_id == "refund"
    assert not loose or loose[0].confidence < exact.confidence
    ranked = index.search("修改密码", limit=3)
    assert [m.confidence for m in ranked] == sorted((m.confidence for m in ranked), reverse=True)


def _judged(right: bool, margin: float, noise: float) -> Judged:
    gold = "a"
    return Judged(gold, ("a" if right else "b",), 0.0, {"margin": margin, "score": noise, "length": 1.0})


def test_fit_learns_that_a_wide_margin_means_a_right_answer_and_drops_negative_evidence():
    # given answers that are right when the margin is wide, and a "score" that is higher when they are wrong
    judged = [_judged(m >= 5, m / 10, 1.0 - m / 10) for m in range(10) for _ in range(5)]
    judged += [_judged(True, 0.3, 0.2), _judged(False, 0.6, 0.9)]  # not separable: finite weights
    # when the calibration is fitted
    calibration = evaluation.fit_calibration(judged, ["margin", "score", "length"])
    # then the margin carries positive weight, and the negative-weighted evidence is not shipped
    assert calibration.weights["margin"] > 0 and "score" not in calibration.weights
    assert calibration({"margin": 0.9}) > 0.5 > calibration({"margin": 0.1})


def test_fit_refuses_data_without_both_outcomes():
    with pytest.raises(ValueError):
        evaluation.fit_calibration([_judged(True, 0.5, 0.5)] * 3, ["margin"])


def test_the_fit_and_test_halves_split_any_query_set_stably():
    texts = [f"问题{i}" for i in range(200)]
    halves = [evaluation.split_of(t) for t in texts]
    assert halves == [evaluation.split_of(t) for t in texts]
    assert 60 < halves.count("fit") < 140 and set(halves) == {"fit", "test"}
