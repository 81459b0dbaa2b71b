"""`kefu eval_faq` measures the matcher on files, with a fresh in-memory index."""

import json

import pytest
from django.core.management import CommandError, call_command


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
