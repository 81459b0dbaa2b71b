"""The survey of a live chat: opened once when a chat a person answered ends (as the ticket's survey of that
solve), never for bot-only or queued chats or on a site that switched it off; answered only by the chat's
own visitor, credited to the chat's agent."""

import pytest

from kefu.chat import services as chat
from kefu.chat.tests.factories import ChatSiteFactory
from kefu.core.errors import InvalidInput, NotFound
from kefu.surveys import chat_surveys
from kefu.surveys.models import Survey, SurveySource
from kefu.surveys.services import answer_survey, open_survey

from .chats import answered_chat, end
from .helpers import committed

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(db):
    return ChatSiteFactory()


def test_an_answered_chat_that_ends_gets_one_survey_of_its_solved_ticket(site, agent):
    conversation = end(answered_chat(site, agent), actor=agent)

    survey = Survey.objects.get()
    assert survey.conversation_id == conversation.pk
    assert survey.ticket_id == conversation.ticket_id and survey.solved_at == conversation.ticket.solved_at
    assert survey.agent_id == agent.pk and not survey.is_answered
    assert chat_surveys.survey_offer(conversation.pk) == {"conversation": conversation.pk}


def test_ending_twice_and_retried_jobs_never_make_a_second_survey(site, agent):
    conversation = end(answered_chat(site, agent), actor=agent)
    end(conversation, actor=None)  # the visitor's end arrives after the agent's

    again = [chat_surveys.open_chat_survey(conversation.pk) for _ in range(2)]  # a retried job, twice
    with committed():
        open_survey(ticket=conversation.ticket)  # the solve's own listener, retried

    assert Survey.objects.count() == 1
    assert {survey.pk for survey in again} == {Survey.objects.get().pk}


def test_a_visitor_without_an_email_address_is_still_asked_in_the_chat_window(site, agent):
    """The solve alone asks only reachable customers; the chat window reaches this one."""
    conversation = answered_chat(site, agent, visitor_id="anonymous")
    assert not conversation.customer.identities.filter(kind="email").exists()

    end(conversation, actor=None)

    assert Survey.objects.get().conversation_id == conversation.pk


def test_a_chat_no_person_answered_gets_no_survey(site, agent):
    with committed():
        queued = chat.start_conversation(site=site, visitor_id="left-in-queue", text="有人吗")
        silent = chat.accept(
            conversation=chat.start_conversation(site=site, visitor_id="silent", text="在吗"), actor=agent
        )
    end(queued)
    end(silent, actor=agent)  # accepted, but the agent never wrote

    assert not Survey.objects.exists()
    assert chat_surveys.survey_offer(silent.pk) is None
    assert chat_surveys.open_chat_survey(silent.pk) is None


def test_a_bot_only_chat_gets_no_survey(agent):
    bot_site = ChatSiteFactory(bot_enabled=True)
    with committed():
        conversation = chat.start_conversation(site=bot_site, visitor_id="v1", text="怎么退货")
        chat.bot_turn(conversation=conversation, message=conversation.messages.get())
    end(conversation)

    assert chat_surveys.open_chat_survey(conversation.pk) is None
    assert not Survey.objects.filter(conversation=conversation).exists()


def test_a_site_with_the_chat_survey_switched_off_asks_nothing(agent):
    quiet = ChatSiteFactory(survey_enabled=False)
    conversation = end(answered_chat(quiet, agent), actor=agent)

    assert chat_surveys.survey_offer(conversation.pk) is None
    assert not Survey.objects.filter(conversation=conversation).exists()


def test_a_chat_kept_as_a_ticket_is_asked_about_when_that_ticket_is_solved_not_now(site, agent):
    conversation = answered_chat(site, agent)
    with committed():
        chat.convert_to_ticket(conversation=conversation, actor=agent, subject="退货")
    end(conversation)

    assert chat_surveys.survey_offer(conversation.pk) is None
    assert not Survey.objects.exists()


def test_the_visitor_rates_their_chat_and_it_is_credited_to_the_chats_last_agent(site, agent, teammate):
    conversation = answered_chat(site, agent, visitor_id="v1")
    with committed():
        conversation = chat.transfer(conversation=conversation, actor=agent, to_agent=teammate)
        chat.post_agent_message(conversation=conversation, actor=teammate, text="我接着帮您")
    end(conversation, actor=teammate)

    survey = chat_surveys.answer_chat_survey(
        site=site, visitor_id="v1", conversation_id=str(conversation.pk), csat="5", comment="  很快\r\n谢谢 "
    )

    assert (survey.csat, survey.comment, survey.source) == (5, "很快\n谢谢", SurveySource.CHAT)
    assert survey.agent_id == teammate.pk and survey.is_answered
    assert chat_surveys.pending_chat_survey(site=site, visitor_id="v1") is None


def test_another_visitor_cannot_rate_someone_elses_chat(site, agent):
    conversation = end(answered_chat(site, agent, visitor_id="owner"), actor=agent)
    other_site = ChatSiteFactory()

    for site_, visitor in ((site, "stranger"), (site, ""), (other_site, "owner")):
        with pytest.raises(NotFound):
            chat_surveys.answer_chat_survey(
                site=site_, visitor_id=visitor, conversation_id=conversation.pk, csat=5, comment=""
            )
    assert not Survey.objects.answered().exists()


@pytest.mark.parametrize("conversation_id", ["²", "-1", "9" * 30, [1], {"id": 1}])
def test_a_malformed_chat_id_is_not_found_rather_than_an_error(site, agent, conversation_id):
    """"²" passes `str.isdigit()` but not `int()`: it must mean "no such chat", not a crash."""
    end(answered_chat(site, agent), actor=agent)

    with pytest.raises(NotFound):
        chat_surveys.answer_chat_survey(
            site=site, visitor_id="v1", conversation_id=conversation_id, csat=5, comment=""
        )


def test_an_open_chat_cannot_be_rated_yet(site, agent):
    conversation = answered_chat(site, agent)

    with pytest.raises(NotFound):
        chat_surveys.answer_chat_survey(
            site=site, visitor_id="v1", conversation_id=conversation.pk, csat=5, comment=""
        )


@pytest.mark.parametrize("csat", [0, 6, "abc", "", None, "4.5", True, "²", "٥x"])
def test_a_score_outside_one_to_five_is_refused(site, agent, csat):
    conversation = end(answered_chat(site, agent), actor=agent)

    with pytest.raises(InvalidInput):
        chat_surveys.answer_chat_survey(
            site=site, visitor_id="v1", conversation_id=conversation.pk, csat=csat, comment=""
        )


def test_a_comment_is_kept_as_plain_text_and_refused_when_too_long(site, agent):
    conversation = end(answered_chat(site, agent), actor=agent)
    rate = dict(site=site, visitor_id="v1", conversation_id=conversation.pk, csat=4)

    with pytest.raises(InvalidInput):
        chat_surveys.answer_chat_survey(**rate, comment="好" * 2001)
    survey = chat_surveys.answer_chat_survey(**rate, comment="<b>ok</b>\x00\x1b[31m")

    assert survey.comment == "<b>ok</b>[31m"  # control characters gone; markup is escaped when shown


def test_a_chat_rating_keeps_the_nps_given_by_the_link(site, agent):
    conversation = end(answered_chat(site, agent), actor=agent)
    survey = chat_surveys.open_chat_survey(conversation.pk)
    answer_survey(survey=survey, csat=2, nps=9, comment="")

    rated = chat_surveys.answer_chat_survey(
        site=site, visitor_id="v1", conversation_id=conversation.pk, csat=5, comment=""
    )

    assert (rated.csat, rated.nps, rated.source) == (5, 9, SurveySource.CHAT)
    assert Survey.objects.count() == 1


def test_the_pending_rating_is_the_visitors_latest_ended_chat_until_answered(site, agent):
    conversation = end(answered_chat(site, agent, visitor_id="v1"), actor=agent)

    assert chat_surveys.pending_chat_survey(site=site, visitor_id="v1") == {"conversation": conversation.pk}
    assert chat_surveys.pending_chat_survey(site=site, visitor_id="v2") is None

    chat_surveys.answer_chat_survey(
        site=site, visitor_id="v1", conversation_id=conversation.pk, csat=3, comment=""
    )
    assert chat_surveys.pending_chat_survey(site=site, visitor_id="v1") is None


def test_a_link_answer_is_credited_to_the_tickets_assignee_when_it_comes(ticket, agent, teammate):
    from .helpers import solve

    ticket.assignee = agent
    ticket.save(update_fields=["assignee"])
    survey = open_survey(ticket=solve(ticket, agent))
    ticket.assignee = teammate  # handed over after the solve, before the customer answers
    ticket.save(update_fields=["assignee"])

    answered = answer_survey(survey=survey, csat=5, nps=None)

    assert answered.agent_id == teammate.pk and answered.source == SurveySource.LINK
