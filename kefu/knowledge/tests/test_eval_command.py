"""`kefu eval_faq` measures the matcher on files, with a fresh in-memory index."""

import json

import pytest
from django.core.management import CommandError, call_command

from kefu.knowledge import evaluation


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


def test_eval_faq_prints_ranking_and_threshold_figures(tmp_path, capsys):
    # given a tiny KB and queries, one of them out of scope
    kb, queries = tmp_path / "kb.jsonl", tmp_path / "q.jsonl"
    _write(
        kb, [{"id": "refund", "questions": ["如何申请退款"]}, {"id": "invoice", "questions": ["怎么开发票"]}]
    )
    _write(
        queries,
        [
            {"query": "申请退款", "gold_id": "refund"},
            {"query": "开发票", "gold_id": "invoice"},
            {"query": "今天天气怎么样", "gold_id": None},
        ],
    )
    # when the command runs
    call_command("eval_faq", kb=str(kb), queries=str(queries), threshold=0.5, curve=True)
    result = json.loads(capsys.readouterr().out)
    # then the figures are exact for this easy set
    assert result["n"] == 3
    assert result["top1"] == 1.0 and result["top3"] == 1.0 and result["mrr"] == 1.0
    assert result["answered"] == 2 and result["answered_precision"] == 1.0 and result["coverage"] == 1.0
    assert result["out_of_scope_handover"] == 1.0
    assert [point["threshold"] for point in result["curve"]] == [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def test_eval_faq_reports_a_missing_file_as_a_command_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("eval_faq", kb=str(tmp_path / "nope.jsonl"), queries=str(tmp_path / "nope.jsonl"))


def _fixture_set(tmp_path):
    kb, queries = tmp_path / "kb.jsonl", tmp_path / "q.jsonl"
    entries = {
        "refund": ["如何申请退款", "退款多久到账"],
        "invoice": ["怎么开发票", "发票抬头写错了"],
        "password": ["怎么修改登录密码", "忘记密码了"],
        "address": ["怎么修改收货地址"],
    }
    _write(kb, [{"id": k, "questions": v} for k, v in entries.items()])
    asked = ["申请退款", "退款什么时候到", "开发票", "发票抬头错了", "修改密码", "密码忘了", "改地址"]
    asked += ["修改收货地址", "怎么修改", "修改发票", "今天天气怎么样", "你们老板是谁"]
    golds = ["refund", "refund", "invoice", "invoice", "password", "password", "address"]
    golds += ["address", "password", "invoice", None, None]
    _write(queries, [{"query": q, "gold_id": g} for q, g in zip(asked, golds, strict=True)])
    return kb, queries


def test_eval_faq_fit_prints_a_calibration_learnt_from_the_fit_half_only(tmp_path, capsys):
    kb, queries = _fixture_set(tmp_path)
    pair = ["--kb", str(kb), "--queries", str(queries)]
    call_command("eval_faq", *pair, *pair, "--fit")
    fitted = json.loads(capsys.readouterr().out)
    call_command("eval_faq", kb=str(kb), queries=str(queries), split="fit")
    fit_half = json.loads(capsys.readouterr().out)
    call_command("eval_faq", kb=str(kb), queries=str(queries), split="test")
    test_half = json.loads(capsys.readouterr().out)
    assert fitted["n"] == 2 * fit_half["n"] and fit_half["n"] + test_half["n"] == 12
    assert set(fitted["weights"]) <= set(evaluation.LEXICAL_FEATURES)
    assert all(w >= 0 for n, w in fitted["weights"].items() if n not in evaluation.PRIORS)


def test_eval_faq_curve_never_answers_more_at_a_higher_threshold(tmp_path, capsys):
    kb, queries = _fixture_set(tmp_path)
    call_command("eval_faq", kb=str(kb), queries=str(queries), curve=True)
    result = json.loads(capsys.readouterr().out)
    answered = [point["answered"] for point in result["curve"]]
    assert answered == sorted(answered, reverse=True) and result["n"] == 12


def test_eval_faq_several_pairs_only_for_fitting(tmp_path):
    kb, queries = _fixture_set(tmp_path)
    with pytest.raises(CommandError):
        pair = ["--kb", str(kb), "--queries", str(queries)]
        call_command("eval_faq", *pair, *pair)
