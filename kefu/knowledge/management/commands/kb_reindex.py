"""`kefu kb_reindex`: re-tokenize every published article and FAQ entry (after the user dictionary changed)."""

from django.core.management.base import BaseCommand

from kefu.knowledge.search import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the knowledge search index (SQLite FTS5 or PostgreSQL) from published content."

    def handle(self, *args, **options) -> None:
        count = rebuild_index()
        self.stdout.write(f"indexed {count} entries")
