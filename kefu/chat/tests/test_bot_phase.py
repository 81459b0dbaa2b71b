"""With the site's bot on, the FAQ bot answers first and hands over to a person when asked or unsure."""

from kefu.chat import services
from kefu.chat.models import AuthorKind, ConversationStatus, Phase
from kefu.knowledge.tests.factories import make_faq
from kefu.tickets.models import Status


def _bot_chat(site, text):
    site.bot_enabled = True
    site.save()
    conversation = services.start_conversation(site=site, visitor_id="v1", text=text, language="zh-hans")
    return conversation, services.bot_turn(conversation=conversation, message=conversation.messages.get())


def test_the_bot_answers_a_known_question_and_the_chat_stays_with_it(site):
    make_faq("退款将在3个工作日内到账。", ["退款多久到账", "退款什么时候到账"])

    conversation, turn = _bot_chat(site, "退款多久到账")

    assert not turn.handed_over and [m.text for m in turn.replies] == ["退款将在3个工作日内到账。"]
    assert turn.replies[0].author_kind == AuthorKind.BOT
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.BOT and conversation.queued_at is None


def test_asking_for_a_person_hands_over_to_the_queue(site):
    make_faq("退款将在3个工作日内到账。", ["退款多久到账"])
    conversation, _ = _bot_chat(site, "退款多久到账")

    asked = services.post_visitor_message(conversation=conversation, text="转人工").message
    turn = services.bot_turn(conversation=conversation, message=asked)

    assert turn.handed_over
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.QUEUED and conversation.phase == Phase.HUMAN
    kinds = list(conversation.messages.values_list("author_kind", flat=True))
    assert kinds == ["visitor", "bot", "visitor", "system"]  # the agent sees what the bot said


def test_a_question_the_bot_does_not_know_hands_over(site):
    make_faq("退款将在3个工作日内到账。", ["退款多久到账"])

    _, turn = _bot_chat(site, "你们的仓库在哪个城市，能自提吗")

    assert turn.handed_over


def test_asking_the_same_again_hands_over(site):
    make_faq("退款将在3个工作日内到账。", ["退款多久到账"])
    conversation, first = _bot_chat(site, "退款多久到账")
    assert not first.handed_over

    again = services.post_visitor_message(conversation=conversation, text="退款多久到账").message

    assert services.bot_turn(conversation=conversation, message=again).handed_over


def test_without_the_bot_a_chat_goes_straight_to_the_queue(site):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="退款多久到账")

    assert conversation.status == ConversationStatus.QUEUED and conversation.phase == Phase.HUMAN
    assert services.bot_turn(conversation=conversation, message=conversation.messages.get()).replies == []


def test_a_visitor_ending_a_chat_only_the_bot_answered_solves_its_ticket(site):
    make_faq("退款将在3个工作日内到账。", ["退款多久到账"])
    conversation, _ = _bot_chat(site, "退款多久到账")

    ended = services.end(conversation=conversation)

    assert ended.ticket.status == Status.SOLVED


def test_a_visitor_leaving_the_queue_keeps_the_ticket_open_for_an_agent(site):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="有人吗")

    ended = services.end(conversation=conversation)

    assert ended.ticket.status == Status.NEW
