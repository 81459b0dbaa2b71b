"""Pure account rules: role granting, skills cleaning."""

import pytest

from kefu.accounts import roles, rules


@pytest.mark.parametrize(
    ("actor_is_admin", "old", "new", "allowed"),
    [
        (False, [], [roles.AGENT], True),
        (False, [roles.AGENT], [roles.SUPERVISOR], True),
        (False, [], [roles.ADMIN], False),
        (False, [roles.ADMIN], [], False),
        (False, [roles.ADMIN, roles.AGENT], [roles.ADMIN], True),  # the admin role itself untouched
        (True, [], [roles.ADMIN], True),
        (True, [roles.ADMIN], [], True),
    ],
)
def test_only_admins_grant_or_revoke_the_admin_role(actor_is_admin, old, new, allowed):
    assert rules.role_change_allowed(actor_is_admin=actor_is_admin, old=old, new=new) is allowed


def test_is_admin_means_superuser_or_admin_role():
    assert rules.is_admin(is_superuser=True, role_codes=[])
    assert rules.is_admin(is_superuser=False, role_codes=[roles.ADMIN])
    assert not rules.is_admin(is_superuser=False, role_codes=[roles.SUPERVISOR])


def test_unknown_roles_are_named():
    assert rules.unknown_roles([roles.AGENT, "pirate"]) == ["pirate"]


def test_skills_keep_only_known_lists_deduplicated():
    raw = {"categories": ["order", "order", " complaint "], "languages": "en", "channels": [], "mood": ["x"]}

    assert rules.clean_skills(raw) == {"categories": ["complaint", "order"], "languages": ["en"]}
    assert rules.clean_skills(None) == {}


def test_staff_land_in_the_workspace_and_customers_in_the_portal():
    assert rules.login_redirect_kind(is_staff=True) == "workspace"
    assert rules.login_redirect_kind(is_staff=False) == "portal"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\u200b\u200d\u202e\u2066", ""),  # zero-width and bidi controls only
        ("\x00\x07 \u3000", ""),  # control characters and ideographic space
        ("\u0301\u0308", ""),  # combining marks with nothing to sit on
        ("李\u200b雷\u202e", "李雷"),
        ("  Li \t Lei\n", "Li Lei"),
        ("Zoë", "Zoë"),
        ("\u3164", ""),  # Hangul filler
        ("\u115f\u1160 \uffa0", ""),  # Hangul choseong/jungseong and halfwidth fillers
        ("\u2800\u2800", ""),  # blank Braille pattern
        ("李\u3164雷", "李雷"),
        (
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        ),  # family emoji
        ("\u2764\ufe0f\u200d\U0001f525", "\u2764\ufe0f\u200d\U0001f525"),  # heart on fire
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),  # Persian
        ("\u0915\u094d\u200d\u0937", "\u0915\u094d\u200d\u0937"),  # Devanagari half form
        ("\u200dLi\u200c", "Li"),  # joiners at the edges join nothing
        ("Li \u200d Lei", "Li Lei"),
        ("Li\u200d\u200bLei", "LiLei"),
    ],
)
def test_display_names_lose_invisible_characters_and_need_something_visible(raw, clean):
    """Format (Cf) and control (Cc) characters and blank-looking fillers are stripped, joiners between two
    visible characters kept (emoji sequences, Persian, Indic scripts); a name of nothing visible is empty."""
    assert rules.clean_display_name(raw) == clean
