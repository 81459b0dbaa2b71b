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
        notify(
            recipients=[agent],
            kind=Kind.ESCALATED,
            ticket=ticket,
            actor=supervisor,
            params={"from": "L1", "to": "L2", "reason": "VIP"},
        )
    assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    [mail] = mailoutbox
    assert mail.to == [agent.email]
    assert f"张主管 escalated ticket #{ticket.pk}" in mail.subject
    assert "Level 2 (senior agents): VIP" in mail.body
    assert f"/agent/tickets/{ticket.pk}/" in mail.body


def test_a_chinese_reader_gets_it_in_chinese(
    ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    agent.language = "zh-hans"
    agent.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[agent], kind=Kind.SLA_BREACH, ticket=ticket, params={"target": "resolution"})

    [mail] = mailoutbox
    assert "解决" in mail.subject and "missed" not in mail.subject


def test_running_the_task_twice_sends_one_mail(
    ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)

    assert send_notification_email(note.pk) is False
    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=note.pk).emailed_at is not None


def test_kinds_off_by_e_mail_send_no_mail(
    ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[agent], kind=Kind.ASSIGNED, ticket=ticket, actor=supervisor
        )  # default: in-app only

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


def test_a_failed_send_is_sent_again_by_the_periodic_sweep(
    ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """Given an e-mail copy whose send failed (the SMTP server was down), when the retry sweep runs after a
    while, then it is sent once; a later sweep sends nothing more."""
    from datetime import timedelta

    from django.core.mail.backends.locmem import EmailBackend

    from kefu.notifications.tasks import resend_emails

    real_send = EmailBackend.send_messages

    def down(self, messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)
    assert mailoutbox == []
    assert Notification.objects.get(pk=note.pk).emailed_at is None  # the claim was freed

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_emails() == 0  # too young: it may still be on its way through the queue
    Notification.objects.filter(pk=note.pk).update(created_at=note.created_at - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_emails() == 1
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_emails() == 0
    assert len(mailoutbox) == 1


def test_the_schedule_runs_the_e_mail_retry_sweep():
    from kefu.config.celery import app

    assert "kefu.notifications.resend_emails" in {e["task"] for e in app.conf.beat_schedule.values()}


def test_a_permanent_refusal_is_not_sent_again_by_the_sweep(
    ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """Given an e-mail copy the SMTP server refused for good (550: no such mailbox), when the retry sweep runs
    later, then it is not queued again: the shared delivery policy gives up on 5xx at once."""
    import smtplib
    from datetime import timedelta

    from django.core.mail.backends.locmem import EmailBackend

    from kefu.notifications.tasks import resend_emails

    def refused(self, messages):
        raise smtplib.SMTPRecipientsRefused({agent.email: (550, b"5.1.1 no such mailbox")})

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)
    Notification.objects.filter(pk=note.pk).update(created_at=note.created_at - timedelta(minutes=6))

    assert Notification.objects.get(pk=note.pk).emailed_at is None  # refused, so it must not look sent

    with django_capture_on_commit_callbacks(execute=True):
        assert resend_emails() == 0
    assert mailoutbox == []


def test_a_wrong_smtp_password_is_tried_again_not_dropped(
    ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """Given the SMTP server refuses our login (535), when the copy fails, then its claim is freed (it does not
    look sent) and the sweep sends it once the password is fixed: a set-up error is not the mail's fault."""
    import smtplib
    from datetime import timedelta

    from django.core.mail.backends.locmem import EmailBackend

    from kefu.notifications.tasks import resend_emails

    real_send = EmailBackend.send_messages

    def wrong_password(self, messages):
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 authentication failed")

    monkeypatch.setattr(EmailBackend, "send_messages", wrong_password)
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(recipients=[agent], kind=Kind.ESCALATED, ticket=ticket, actor=supervisor)
    assert Notification.objects.get(pk=note.pk).emailed_at is None

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    Notification.objects.filter(pk=note.pk).update(created_at=note.created_at - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert resend_emails() == 1
    assert len(mailoutbox) == 1
