"""The FAQ bot answers confidently from published entries and hands over otherwise."""

import pytest

from kefu.knowledge import bot

from .factories import make_faq

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(db):
    return {
        "refund": make_faq("退款将在3个工作日内到账。", ["退款多久到账", "退款什么时候到账"]),
        "password": make_faq("在设置页修改密码。", ["怎么修改登录密码"]),
        "en_refund": make_faq("Refunds arrive within 3 days.", ["when will my refund arrive"], language="en"),
        "hidden": make_faq("内部答案", ["发票怎么开"], published=False),
    }


def test_bot_answers_a_known_question_with_its_confidence(faq):
    result = bot.answer("退款多久到账", "zh-hans")
    assert result.entry == faq["refund"] and not result.handover
    assert result.reason == bot.Reason.ANSWERED and result.confidence >= bot.DEFAULT_THRESHOLD


def test_bot_answers_english_questions_from_english_entries(faq):
    assert bot.answer("When will my refund arrive?", "en").entry == faq["en_refund"]


@pytest.mark.parametrize(
    "text", ["转人工", "我要人工", "人工客服", "human please", "Let me talk to an agent"]
)
def test_bot_always_hands_over_when_asked_for_a_person(faq, text):
    result = bot.answer(text, "zh-hans")
    assert result.handover and result.reason == bot.Reason.ASKED_FOR_HUMAN


def test_asking_for_a_person_wins_even_when_the_question_matches(faq):
    assert bot.answer("退款多久到账 转人工", "zh-hans").handover


def test_bot_hands_over_on_low_confidence_and_unpublished_entries(faq):
    assert bot.answer("你们公司在哪个城市", "zh-hans").reason == bot.Reason.LOW_CONFIDENCE
    assert bot.answer("发票怎么开", "zh-hans").handover  # only an unpublished entry matches


def test_bot_hands_over_when_the_customer_repeats_the_question(faq):
    result = bot.answer("退款多久到账", "zh-hans", previous_questions=("退款多久到账",))
    assert result.handover and result.reason == bot.Reason.REPEATED


def test_bot_sees_newly_published_entries(faq):
    assert bot.answer("怎么开通会员", "zh-hans").handover
    entry = make_faq("在会员页开通。", ["怎么开通会员"])
    assert bot.answer("怎么开通会员", "zh-hans").entry == entry


def test_empty_question_hands_over():
    assert bot.answer("  ").reason == bot.Reason.EMPTY


def test_bot_hands_over_below_the_threshold_and_answers_above_it(faq):
    """The same question is answered or handed over depending only on where its confidence falls."""
    confident = bot.answer("退款什么时候能到账", "zh-hans", threshold=0.0)
    assert confident.entry == faq["refund"]
    below = bot.answer("退款什么时候能到账", "zh-hans", threshold=min(1.0, confident.confidence + 0.01))
    assert below.handover and below.reason == bot.Reason.LOW_CONFIDENCE
    assert below.confidence == confident.confidence


@pytest.mark.parametrize(
    "text",
    [
        "退款多久到账？你们就是骗子",
        "我要投诉！",
        "退款多久到账！！！",
        "This is ridiculous, where is my refund",
    ],
)
def test_bot_hands_over_when_the_customer_is_angry(faq, text):
    result = bot.answer(text, "zh-hans")
    assert result.handover and result.reason == bot.Reason.ANGRY


def test_calm_questions_are_not_taken_for_anger():
    assert not bot.sounds_angry("退款多久到账？") and not bot.sounds_angry("When will my refund arrive!")
