"""The mojibake test's quick way (values.looks_bad) answers what ftfy's own test answers."""

from __future__ import annotations

import re

import ftfy.badness
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coopdata.model.values import looks_bad, mojibake_repairs


def _named_characters() -> str:
    """Every character ftfy's badness pattern names: its categories (ranges expanded)
    and the characters written into it."""
    characters = set()
    for category in ftfy.badness.MOJIBAKE_CATEGORIES.values():
        for low, high in re.findall(r"(.)(?:-(.))?", category, re.DOTALL):
            characters.update(chr(c) for c in range(ord(low), ord(high or low) + 1))
    characters.update(c for c in ftfy.badness.BADNESS_RE.pattern if not c.isascii())
    return "".join(sorted(characters))


_NAMED = _named_characters()
_TEXTS = st.text(st.sampled_from(_NAMED) | st.sampled_from("aZé ’.,?!\n\t\xa0-x1")
                 | st.characters(), max_size=12)


def test_the_pattern_names_characters_outside_ascii() -> None:
    assert len(_NAMED) > 300 and all(not c.isascii() for c in _NAMED)


@settings(max_examples=3000)
@given(_TEXTS)
@example("Ã ")
@example("x Ã ")
@example("aÂ»")
@example("RĂ©sultat")
@example("Un projet pour l’intégration des migrants.")
def test_looks_bad_is_ftfys_is_bad(text: str) -> None:
    assert looks_bad(text) == ftfy.badness.is_bad(text), repr(text)


@given(st.lists(st.sampled_from(["Ã©tÃ©", "été", "résumé", "l’État", "x", "Â "]), max_size=4))
def test_repairs_of_words_are_found(words: list[str]) -> None:
    text = " ".join(words)
    found = mojibake_repairs(text)
    assert bool(found) == ("Ã©tÃ©" in words)
