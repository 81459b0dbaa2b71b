"""The chat an agent's frame names is loaded only for a real id: bad input is answered as an unknown chat."""

import pytest

from kefu.realtime import chat


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [2**63, 2**80, 0, -1, True, "5", None, 1.5])
@pytest.mark.parametrize("kind", ["chat.send", "chat.end"])
def test_an_id_beyond_the_databases_range_or_not_an_id_loads_no_chat(bad, kind):
    """The busy frames' raw look-up never sees an id the database cannot compare (it would fail, not miss)."""
    assert chat._load(bad, kind) is None
