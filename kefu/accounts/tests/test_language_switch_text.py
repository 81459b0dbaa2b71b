"""The language switch in the top bar reads evenly ("简体中文 / English"), also where no stylesheet spaces it."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_language_switch_has_the_same_space_on_both_sides_of_its_slash(client, agent):
    client.force_login(agent)
    page = client.get("/agent/").content.decode()

    switch = re.search(r'<form[^>]*class="language-switch".*?</form>', page, re.S).group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", switch)).strip()

    assert text == "简体中文 / English"
