"""Ticket full-text search: Chinese and English words of subjects and messages, kept in step by the services,
rebuilt by `kefu tickets_reindex`, and never wider than what the user may see. Runs on SQLite (FTS5) and,
with DATABASE_URL, on PostgreSQL (GIN) alike."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from kefu.tests.factories import TicketFactory
from kefu.tickets import search, services
from kefu.tickets.access import visible_tickets
from kefu.tickets.models import AuthorKind, Message, MessageKind, Ticket, TicketSearchEntry
from kefu.tickets.search import filter_tickets, query_terms

pytestmark = pytest.mark.django_db


def found(user, text: str) -> list[int]:
    """Ids of the tickets `user` finds with `text`, most recently updated first (as the queue sorts)."""
    matching, _capped = filter_tickets(visible_tickets(user), text)
    return list(matching.order_by("-updated_at", "-id").values_list("pk", flat=True))


def test_chinese_words_are_found_in_subject_and_message_text(supervisor, customer, front_line):
    invoice = TicketFactory(customer=customer, team=front_line, subject="发票抬头写错了", first_message="请帮忙重开")
    parcel = TicketFactory(customer=customer, team=front_line, subject="咨询", first_message="快递一直没有更新物流信息")
    TicketFactory(customer=customer, team=front_line, subject="其他问题", first_message="想改收货地址")

    assert found(supervisor, "抬头") == [invoice.pk]
    assert found(supervisor, "物流信息") == [parcel.pk]
    assert found(supervisor, "重开 发票") == [invoice.pk]  # every word, in any order, subject and messages
    assert found(supervisor, "发票 物流") == []


def test_english_words_match_case_insensitively_and_as_prefixes(supervisor, customer, front_line):
    refund = TicketFactory(customer=customer, team=front_line, subject="Refund request", first_message="Order 7781")
    TicketFactory(customer=customer, team=front_line, subject="Password reset", first_message="Cannot log in")

    assert found(supervisor, "REFUND") == [refund.pk]
    assert found(supervisor, "refu") == [refund.pk]  # typed so far
    assert found(supervisor, "refund 7781") == [refund.pk]
    assert found(supervisor, "refund password") == []


def test_the_long_form_of_a_chinese_word_is_not_required(supervisor, customer, front_line):
    # jieba's search mode gives "共和国" and also "共和"; a text cut differently still matches
    assert [word for word, _prefix in query_terms("共和国")] == [word for word, _prefix in query_terms("共和")]
    ticket = TicketFactory(customer=customer, team=front_line, subject="共和国纪念币", first_message="-")

    assert found(supervisor, "共和国") == [ticket.pk]


def test_results_keep_the_requested_order(supervisor, customer, front_line):
    now = timezone.now()
    older = TicketFactory(customer=customer, team=front_line, subject="退款 一", updated_at=now - timedelta(days=2))
    newer = TicketFactory(customer=customer, team=front_line, subject="退款 二", updated_at=now)
    middle = TicketFactory(customer=customer, team=front_line, subject="退款 三", updated_at=now - timedelta(days=1))

    assert found(supervisor, "退款") == [newer.pk, middle.pk, older.pk]


def test_search_never_shows_tickets_outside_the_users_scope(agent, outsider, customer, front_line, other_team):
    ours = TicketFactory(customer=customer, team=front_line, subject="退款申请 refund")
    theirs = TicketFactory(customer=customer, team=other_team, subject="退款申请 refund")

    assert found(agent, "退款") == [ours.pk]
    assert found(outsider, "refund") == [theirs.pk]
    assert found(outsider, f"#{ours.pk}") == []


def test_customer_name_and_ticket_number_still_find_the_ticket(supervisor, customer, front_line):
    ticket = TicketFactory(customer=customer, team=front_line, subject="Hello")

    assert found(supervisor, "陈小") == [ticket.pk]  # the customer's name, any part of it
    assert found(supervisor, f"#{ticket.pk}") == [ticket.pk]


def test_query_without_searchable_words_finds_nothing(supervisor, ticket):
    assert found(supervisor, "的 了") == []
    assert found(supervisor, '"*:& |') == []


def test_digits_that_are_not_decimal_are_searched_as_text_not_read_as_a_ticket_number(supervisor, ticket):
    """"²" passes str.isdigit() but int() refuses it: it must not crash the search."""
    assert found(supervisor, "²") == []
    assert found(supervisor, "#³") == []


def test_replies_notes_and_new_subjects_are_searchable_after_commit(
    agent, customer, front_line, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(
            customer=customer, subject="账户被冻结", text="登录不了", channel="web", actor=None, team=front_line
        )
    assert found(agent, "冻结 登录") == [ticket.pk]

    with django_capture_on_commit_callbacks(execute=True):
        services.add_reply(ticket=ticket, actor=agent, text="Please verify your identity")
        services.add_note(ticket=ticket, actor=agent, text="风控部门已确认")
    assert found(agent, "verify") == [ticket.pk]
    assert found(agent, "风控") == [ticket.pk]  # internal notes: staff-only search, staff-only pages

    with django_capture_on_commit_callbacks(execute=True):
        services.update_ticket(ticket=ticket, actor=agent, changes=services.TicketChanges(subject="账户解封"))
    assert found(agent, "解封") == [ticket.pk]
    assert found(agent, "冻结") == []


def test_system_events_are_not_indexed(agent, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.record_system_event(ticket=ticket, event_type="status_changed", data={"note": "zebra"})

    assert found(agent, "zebra") == []


def test_reindex_command_indexes_rows_written_without_the_services(supervisor, customer, front_line):
    now = timezone.now()
    seeded = Ticket.objects.create(customer=customer, team=front_line, subject="批量导入", created_at=now, updated_at=now)
    Message.objects.create(
        ticket=seeded, kind=MessageKind.CUSTOMER, author_kind=AuthorKind.CUSTOMER, body_text="历史工单 migrated",
        created_at=now,
    )
    assert found(supervisor, "migrated") == []

    call_command("tickets_reindex", batch=1, stdout=io.StringIO())

    assert found(supervisor, "migrated 历史") == [seeded.pk]
    assert TicketSearchEntry.objects.filter(ticket=seeded).count() == 1


def test_a_word_in_more_tickets_than_a_search_reads_finds_the_most_recently_active_within_scope(
    monkeypatch, agent, customer, front_line, other_team, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(search, "CANDIDATES", 1)
    monkeypatch.setattr(search, "RECENT", 1)  # the walk in order looks at the newest entry only
    first = TicketFactory(customer=customer, team=front_line, subject="退款 一")
    second = TicketFactory(customer=customer, team=front_line, subject="退款 二")
    TicketFactory(customer=customer, team=other_team, subject="退款 三")

    assert set(found(agent, "退款")) <= {first.pk, second.pk}  # never the other team's, even capped
    assert search.search_tickets("退款").capped

    with django_capture_on_commit_callbacks(execute=True):
        services.add_customer_message(ticket=first, text="请核对单号，退款")  # active again: the newest entry

    assert first.pk in found(agent, "退款")
    assert found(agent, "核对") == [first.pk]
    assert not search.search_tickets("核对").capped
