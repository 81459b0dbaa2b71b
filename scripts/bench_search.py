"""Knowledge search latency with N articles/FAQ entries, and FAQ-bot answers per second.

    .venv/bin/python scripts/bench_search.py [--n 100000] [--queries 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kefu_bench .venv/bin/python scripts/bench_search.py

Creates a fresh database (SQLite: a temp file; PostgreSQL: test_<name>, dropped afterwards), runs the
migrations, seeds N search entries in bulk (titles and texts from the question sets in
../shared/data/eval/faq when present, otherwise generated; tokenized with the same jieba code as the app),
then times `kefu.knowledge.search.search()` in-process (this measures the engine plus ranking, not HTTP).
Bot speed: the matcher the bot uses, loaded with the afqmc / clinc150 knowledge bases.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "eval" / "faq"
sys.path.insert(0, str(ROOT))


def _texts() -> tuple[list[str], list[str], list[str], list[str]]:
    """(Chinese phrasings, English phrasings, Chinese queries, English queries)."""
    zh, en, zq, eq = [], [], [], []
    for name, bucket, queries in (("afqmc", zh, zq), ("bq", zh, zq), ("clinc150", en, eq)):
        kb, qf = DATA / name / "kb.jsonl", DATA / name / "queries.jsonl"
        if kb.exists():
            for line in kb.open(encoding="utf-8"):
                bucket.extend(json.loads(line)["questions"])
            queries.extend(json.loads(line)["query"] for line in qf.open(encoding="utf-8"))
    if not zh:
        zh = [f"如何申请退款第{i}步" for i in range(1000)]
        zq = ["怎么退款", "发票怎么开"]
    if not en:
        en = [f"how do i reset my password step {i}" for i in range(1000)]
        eq = ["reset password", "refund"]
    return zh, en, zq, eq


def seed(n: int) -> float:
    from kefu.knowledge.models import KbCategory, SearchEntry
    from kefu.knowledge.search import _entry_fields

    zh, en, _zq, _eq = _texts()
    rng = random.Random(7)
    categories = [KbCategory.objects.create(name=f"分类{i}", slug=f"c{i}") for i in range(10)]
    started = time.perf_counter()
    batch = []
    for i in range(n):
        english = i % 4 == 0
        pool = en if english else zh
        title = pool[i % len(pool)]
        text = "。".join(rng.sample(pool, 4))
        batch.append(
            SearchEntry(
                kind="article" if i % 2 else "faq",
                object_id=i + 1,
                language="en" if english else "zh-hans",
                category=categories[i % 10],
                is_public=i % 10 != 0,
                **_entry_fields(title=title, text=text),
            )
        )
        if len(batch) == 5000:
            SearchEntry.objects.bulk_create(batch)
            batch = []
    SearchEntry.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:  # planner statistics, as autovacuum would gather after a bulk load
        cursor.execute("ANALYZE knowledge_searchentry" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def time_queries(count: int) -> dict:
    from kefu.knowledge import search

    _zh, _en, zq, eq = _texts()
    rng = random.Random(11)
    queries = [(q, "zh-hans") for q in rng.sample(zq, min(count, len(zq)))]
    queries += [(q, "en") for q in rng.sample(eq, min(count // 3, len(eq)))]
    for q, lang in queries[:20]:  # warm caches (jieba, vocabulary)
        search.search(q, language=lang)
    timings, empty = [], 0
    for q, lang in queries:
        started = time.perf_counter()
        hits = search.search(q, language=lang)
        timings.append((time.perf_counter() - started) * 1000)
        empty += not hits
    return {
        "queries": len(queries),
        "p50_ms": round(percentile(timings, 50), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "zero_result": empty,
    }


def bot_speed() -> dict:
    from kefu.knowledge.evaluation import load_kb, load_queries

    result = {}
    for name in ("afqmc", "clinc150"):
        kb, qf = DATA / name / "kb.jsonl", DATA / name / "queries.jsonl"
        if not kb.exists():
            continue
        index = load_kb(kb)
        queries = [q.text for q in load_queries(qf)][:500]
        started = time.perf_counter()
        for q in queries:
            index.search(q, limit=1)
        result[name] = round(len(queries) / (time.perf_counter() - started), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-bot", action="store_true")
    parser.add_argument("--keep", metavar="PATH", help="keep the database (SQLite: seed into this file)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="kefu-bench-")
    os.environ.setdefault("KEFU_VAR_DIR", tmp)
    os.environ.setdefault("KEFU_TEST_SQLITE", args.keep or str(Path(tmp) / "bench.sqlite3"))  # a file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        seconds = seed(args.n)
        result = {
            "engine": connection.vendor,
            "entries": args.n,
            "seed_seconds": round(seconds, 1),
            **time_queries(args.queries),
        }
        if not args.no_bot:
            result["bot_answers_per_second"] = bot_speed()
        print(json.dumps(result, ensure_ascii=False))
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
