"""Measure the routing classifier on a labelled set: train on one JSON-lines file, score on another.

Each line is {"text": ..., "label": ...}. Prints one JSON object: {"n", "accuracy", "macro_f1"} for the test file.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kefu.routing.classifier import Classifier


def read_jsonl(path: str) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            texts.append(str(row["text"]))
            labels.append(str(row["label"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"{path}:{number}: expected {{\"text\", \"label\"}}: {exc}") from exc
    return texts, labels


class Command(BaseCommand):
    requires_system_checks = []  # reads two files and trains in memory: no database, no URLs
    help = "Train the routing classifier on --train and print accuracy and macro-F1 on --test as one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("--train", required=True, help="JSON lines {text, label} to learn from")
        parser.add_argument("--test", required=True, help="JSON lines {text, label} to measure on")

    def handle(self, *args, **options):
        train_texts, train_labels = read_jsonl(options["train"])
        test_texts, test_labels = read_jsonl(options["test"])
        try:
            model = Classifier.train(train_texts, train_labels)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        scores = model.score(test_texts, test_labels)
        result = {"n": scores.n, "accuracy": round(scores.accuracy, 4), "macro_f1": round(scores.macro_f1, 4)}
        self.stdout.write(json.dumps(result))
