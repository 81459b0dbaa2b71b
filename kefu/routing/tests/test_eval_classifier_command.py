"""`kefu eval_classifier` prints exactly one JSON object with n, accuracy and macro-F1 of the test file."""

import json

import pytest
from django.core.management import CommandError, call_command

from .samples import examples


def write_jsonl(path, rows) -> str:
    path.write_text("\n".join(json.dumps({"text": t, "label": label}, ensure_ascii=False) for t, label in rows))
    return str(path)


def test_prints_one_json_object_for_the_test_file(tmp_path, capsys):
    rows = examples()
    train = write_jsonl(tmp_path / "train.jsonl", rows[::2])
    test = write_jsonl(tmp_path / "test.jsonl", rows[1::2])

    call_command("eval_classifier", "--train", train, "--test", test)

    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    result = json.loads(out[0])
    assert set(result) == {"n", "accuracy", "macro_f1"}
    assert result["n"] == len(rows[1::2]) and 0.8 <= result["accuracy"] <= 1


def test_a_malformed_line_is_reported_with_its_number(tmp_path):
    train = tmp_path / "train.jsonl"
    train.write_text('{"text": "a", "label": "x"}\nnot json\n')

    with pytest.raises(CommandError, match="train.jsonl:2"):
        call_command("eval_classifier", "--train", str(train), "--test", str(train))
