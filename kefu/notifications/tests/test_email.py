"""The e-mail copy: sent after commit by a task, once, in the recipient's language."""

import pytest

from kefu.notifications.models import Kind, Notification
from kefu.notifications.services import notify
from kefu.notifications.tasks import send_notification_email

pytestmark = pytest.mark.django_db


def test_an_escalation_is_mailed_after_commit_in_the_recipients_language(
    ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    agent.language = "en"
    agent.save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor,
               params={"from": "L1", "to": "L2", "reason": "VIP"})
    assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    [mail] = mailoutbox
    assert mail.to == [agent.email]
    assert f"张主管 escalated ticket #{ticket.pk}" in mail.subject
    assert "Level 2 (senior agents): VIP" in mail.body
    assert f"/agent/tickets/{ticket.pk}/" in mail.body


def test_a_chinese_reader_gets_it_in_chinese(ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks):
    agent.language = "zh-hans"
    agent.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[agent], kind=Kind.SLA_BREACH, ticket=ticket, params={"target": "resolution"})

    [mail] = mailoutbox
    assert "解决" in mail.subject and "missed" not in mail.subject


def test_running_the_task_twice_sends_one_mail(ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)

    assert send_notification_email(note.pk) is False
    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=note.pk).emailed_at is not None


def test_kinds_off_by_e_mail_send_no_mail(ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[agent], kind=Kind.ASSIGNED, ticket=ticket, actor=supervisor)  # default: in-app only

    assert mailoutbox == []
    assert Notification.objects.get().in_app


def test_a_subject_with_line_breaks_still_makes_a_one_line_mail_subject(
    customer, front_line, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    from kefu.tests.factories import TicketFactory

    ticket = TicketFactory(customer=customer, team=front_line, subject="退款\nBcc: evil@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)

    [mail] = mailoutbox
    assert "\n" not in mail.subject and mail.bcc == []
