"""The name rule (``virtubar.names``): what one player typed is shown to
others as it reads, or refused with the reason; never cleaned in silence."""

import re

import pytest

from virtubar.names import DISPLAY_NAME_MAX, BadName, avatar_id, normalise_name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Otter  ", "Otter"),
        ("\uff2d\uff4f\uff44", "Mod"),  # full-width letters fold to plain ones (NFKC)
        ("Caf\u0065\u0301", "Caf\u00e9"),  # a combining accent is composed
        ("\u00a0Zo\u00eb\u3000", "Zo\u00eb"),  # no-break and ideographic spaces trimmed
        ("\u0645\u0631\u062d\u0628\u0627", "\u0645\u0631\u062d\u0628\u0627"),  # right-to-left script is fine
        ("x" * DISPLAY_NAME_MAX, "x" * DISPLAY_NAME_MAX),
    ],
)
def test_names_are_normalised(typed, stored):
    assert normalise_name(typed, DISPLAY_NAME_MAX) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Moderator\n\u202eTeam", "U+000A"),
        ("Mod\u202eTeam", "U+202E"),  # right-to-left override
        ("Mod\u202aTeam", "U+202A"),
        ("Mod\u2066Team", "U+2066"),  # isolates
        ("Mod\u2069Team", "U+2069"),
        ("Mod\u200eTeam", "U+200E"),  # direction marks
        ("Mod\u200fTeam", "U+200F"),
        ("Mod\u061cTeam", "U+061C"),
        ("Mod\u200bTeam", "U+200B"),  # zero-width space, non-joiner, joiner
        ("Mod\u200cTeam", "U+200C"),
        ("Mod\u200dTeam", "U+200D"),
        ("Mod\u2060Team", "U+2060"),
        ("\ufeffMod", "U+FEFF"),
        ("Mod\x00", "U+0000"),
        ("Mod\x1b[31m", "U+001B"),
        ("Mod\x7f", "U+007F"),
        ("Mod\x85Team", "U+0085"),  # C1
        ("Mod\u2028Team", "U+2028"),
    ],
)
def test_control_direction_and_invisible_characters_are_refused_naming_them(typed, code):
    with pytest.raises(BadName, match=re.escape(code)):
        normalise_name(typed, DISPLAY_NAME_MAX)


@pytest.mark.parametrize("typed", ["", "   ", "\u3000\u00a0", "\t"])
def test_empty_and_all_space_names_are_refused(typed):
    with pytest.raises(BadName):
        normalise_name(typed, DISPLAY_NAME_MAX)


def test_the_length_limit_applies_after_normalisation():
    with pytest.raises(BadName, match="at most 40"):
        normalise_name("\ufdfa" * 3, DISPLAY_NAME_MAX)  # 3 characters typed, 54 once expanded
    with pytest.raises(BadName, match="at most 40"):
        normalise_name("x" * (DISPLAY_NAME_MAX + 1), DISPLAY_NAME_MAX)


def test_avatar_ids_are_built_from_a_stored_avatar_and_nothing_else_passes():
    assert avatar_id("round", "#6C8CFF", "#ffd166") == "round-6c8cff-ffd166"
    for model in ("../../x", "round\n", "r o", "a" * 40):
        with pytest.raises(BadName):
            avatar_id(model, "#000000", "#ffffff")
