"""Pure chat rules: the pre-chat form, the queue's time estimate, business hours, eligibility, uploads."""


import pytest

from kefu.chat import rules

FORM = {"fields": ["name", "email", "phone", "topic"], "required": ["name", "email"]}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"name": "陈", "email": "chen@example.com"}, {"name": "陈", "email": "chen@example.com"}),
        ({"name": "陈", "phone": "13800138000"}, {"name": "陈", "phone": "13800138000"}),  # either contact
        ({"name": "陈"}, None),  # no way to reach them
        ({"email": "chen@example.com"}, None),  # the name is required
        ({"name": "陈", "email": "not-an-address"}, None),
        ({"name": "陈", "email": "a@b.cn", "topic": 3}, {"name": "陈", "email": "a@b.cn", "topic": 3}),
        (
            {"name": "陈", "email": "a@b.cn", "topic": 99},
            {"name": "陈", "email": "a@b.cn"},
        ),  # not this site's
        ({"name": "  陈  ", "email": "a@b.cn", "extra": "x"}, {"name": "陈", "email": "a@b.cn"}),
        ({"name": ["陈"], "email": "a@b.cn"}, None),
        ({"name": "陈", "email": "a@b.cn", "topic": "3"}, {"name": "陈", "email": "a@b.cn", "topic": 3}),
        ({"name": "陈", "email": "a@b.cn", "topic": "²"}, {"name": "陈", "email": "a@b.cn"}),  # isdigit, not int
        ({"name": "陈", "email": "a@b.cn", "topic": "9" * 5000}, {"name": "陈", "email": "a@b.cn"}),
    ],
)
def test_clean_prechat_keeps_valid_answers_and_refuses_missing_or_malformed_ones(answers, expected):
    assert rules.clean_prechat(FORM, answers, {3}) == expected


def test_a_site_without_a_form_asks_nothing():
    assert rules.clean_prechat({}, {"name": "x"}, set()) == {}
    assert rules.prechat_form({"fields": ["name", "password"], "required": ["password"]}) == {
        "fields": ["name"],
        "required": [],
    }


@pytest.mark.parametrize(
    ("position", "agents", "handle", "minutes"),
    [(1, 1, 300, 5), (3, 2, 240, 6), (1, 5, 60, 1), (2, 0, None, 10), (0, 3, 300, 0)],
)
def test_estimated_wait_grows_with_the_position_and_shrinks_with_agents(position, agents, handle, minutes):
    assert rules.estimated_wait_minutes(position, agents, handle) == minutes


@pytest.mark.parametrize(
    ("team", "senior_only", "teams", "level", "ok"),
    [
        (None, False, set(), "L1", True),
        (1, False, {1}, "L1", True),
        (1, False, {2}, "L1", False),
        (None, True, set(), "L1", False),
        (None, True, set(), "L2", True),
        (1, True, {1}, "L3", True),
    ],
)
def test_may_serve_checks_team_and_seniority(team, senior_only, teams, level, ok):
    assert (
        rules.may_serve(chat_team_id=team, senior_only=senior_only, agent_team_ids=teams, agent_level=level)
        is ok
    )


@pytest.mark.parametrize(
    ("head", "declared", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png", "image/png"),
        (b"\x89PNG\r\n\x1a\n....", "text/plain", "image/png"),  # the bytes decide, not the label
        (b"\xff\xd8\xff\xe0", "image/jpeg", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", "image/webp"),
        (b"%PDF-1.7", "application/pdf", "application/pdf"),
        ("订单号 123".encode(), "text/plain", "text/plain"),
        (b"<html><script>alert(1)</script>", "image/png", None),
        (b"MZ\x90\x00", "application/octet-stream", None),
        (b"\x00\x01binary", "text/plain", None),
    ],
)
def test_sniff_type_trusts_the_bytes(head, declared, kind):
    assert rules.sniff_type(head, declared) == kind


def test_safe_file_name_drops_paths_and_takes_the_real_extension():
    assert rules.safe_file_name("../../etc/passwd.png", "image/png") == "passwd.png"
    assert rules.safe_file_name("C:\\x\\发票.exe", "application/pdf") == "发票.pdf"
    assert rules.safe_file_name('<img src=x>"', "image/gif") == "img src=x.gif"
    assert rules.safe_file_name(None, "text/plain") == "file.txt"
