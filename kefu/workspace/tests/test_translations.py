"""Every catalog of every app has a zh-Hans translation for each string; event sentences read in Chinese."""

from pathlib import Path

import polib
import pytest

KEFU = Path(__file__).resolve().parents[2]
WORKSPACE_CATALOG = KEFU / "workspace" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Every app's catalog and the shared templates' one (kefu/locale), connectors included.
CATALOGS = sorted(KEFU.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(KEFU)))
def test_catalog_is_fully_translated_and_has_no_fuzzy_entries(path):
    catalog = polib.pofile(str(path))

    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]

    assert untranslated == []
    assert fuzzy == []


def test_event_sentences_read_in_chinese(db, agent, ticket):
    from django.utils import translation

    from kefu.tickets import services
    from kefu.tickets.models import Status
    from kefu.workspace.timeline import describe_event

    if not (KEFU / "workspace" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists():
        pytest.skip("catalogs are not compiled (scripts/compile_messages.py)")
    services.change_status(ticket=ticket, actor=agent, status="open")
    event = ticket.messages.get(event_type="status_changed")
    sentence = (
        polib.pofile(str(WORKSPACE_CATALOG)).find("%(actor)s changed the status from %(old)s to %(new)s").msgstr
    )

    with translation.override("zh-hans"):
        text = describe_event(event)
        expected = sentence % {"actor": "王芳", "old": Status.NEW.label, "new": Status.OPEN.label}

    assert text == expected
