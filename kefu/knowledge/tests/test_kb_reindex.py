"""`kefu kb_reindex` rebuilds the search index in a fixed number of statements per batch, not per entry."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.knowledge import search
from kefu.knowledge.models import Article, ArticleStatus, SearchEntry

from .factories import make_faq

pytestmark = pytest.mark.django_db


def _content(n: int) -> None:
    Article.objects.bulk_create(
        [
            Article(title=f"退款说明 {i}", body=f"<p>退款 {i} 天到账</p>", status=ArticleStatus.PUBLISHED)
            for i in range(n)
        ]
        + [Article(title="草稿", status=ArticleStatus.DRAFT)]
    )
    for i in range(n):
        make_faq(f"答案 {i}", [f"问题 {i}", f"另一种问法 {i}"])
    make_faq("没有问题的条目", [])


def _statements(**kwargs) -> int:
    with CaptureQueriesContext(connection) as context:
        search.rebuild_index(**kwargs)
    return len(context.captured_queries)


def test_the_command_indexes_every_published_entry_in_the_same_statements_for_3_or_30(capsys):
    """Given 3, then 30, published articles and FAQ entries, when the index is rebuilt, then as many SQL
    statements run either way (pinned), and every published entry with a question is indexed once."""
    _content(3)
    search.rebuild_index()  # the user dictionary is loaded once per process
    few = _statements()
    _content(27)
    many = _statements()

    assert few == many == 12
    assert SearchEntry.objects.filter(kind="article").count() == 30
    assert SearchEntry.objects.filter(kind="faq").count() == 30
    call_command("kb_reindex")
    assert "indexed 60 entries" in capsys.readouterr().out


def test_each_batch_costs_a_fixed_number_of_statements():
    """Given 10 articles and 10 FAQ entries read 5 at a time, then each batch of each kind adds the same
    statements (a read and an insert; FAQ entries one more read for their questions)."""
    _content(10)
    search.rebuild_index()

    by_five, by_ten = _statements(batch_size=5), _statements(batch_size=10)

    assert by_five - by_ten == 2 + 3  # one more batch of articles (read, insert) and of FAQ entries
    assert SearchEntry.objects.count() == 20


def test_rebuilt_entries_match_what_the_services_index():
    """The batched rebuild stores the same tokens as indexing one article or FAQ entry at a time."""
    _content(2)
    search.rebuild_index()
    batched = set(
        SearchEntry.objects.values_list("kind", "object_id", "title", "tokens", "length", "is_public")
    )

    SearchEntry.objects.all().delete()
    for article in Article.objects.filter(status=ArticleStatus.PUBLISHED):
        search.index_article(article)
    from kefu.knowledge.models import FaqEntry

    for entry in FaqEntry.objects.all():
        search.index_faq(entry)

    assert (
        set(SearchEntry.objects.values_list("kind", "object_id", "title", "tokens", "length", "is_public"))
        == batched
    )


def test_entries_are_tokenized_before_the_write_transaction_opens(monkeypatch):
    """Given published articles and FAQ entries, when the index is rebuilt, then no entry is tokenized inside
    the transaction that deletes and inserts (on SQLite it would hold the write lock while jieba runs)."""
    _content(3)
    outside = len(connection.savepoint_ids)  # the test's own transaction is the baseline
    depths = []
    real_entry_fields = search._entry_fields

    def recording(**kwargs):
        depths.append(len(connection.savepoint_ids))
        return real_entry_fields(**kwargs)

    monkeypatch.setattr(search, "_entry_fields", recording)
    search.rebuild_index()

    assert len(depths) == 6 and set(depths) == {outside}
    assert SearchEntry.objects.count() == 6
