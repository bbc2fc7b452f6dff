"""``pattern`` in the generated validators: matched anywhere in the string, like JSON Schema's
``pattern`` and the models' ``Field(pattern=...)``, and in time linear in the string's length
whatever the (untrusted) schema's pattern is."""

from __future__ import annotations

import pytest

from generator.runtime._validation import Pattern

#: Each takes a backtracking engine (``re``) 2^40 steps or more on the near miss below.
SLOW_FOR_BACKTRACKING = ["^(a|a)*$", "^(a|aa)*$", "^a*a*a*a*a*a*a*a*a*a*$", r"^(\w|\d)*$"]


@pytest.mark.parametrize("pattern", SLOW_FOR_BACKTRACKING)
def test_a_near_miss_of_a_slow_pattern_is_answered(pattern: str) -> None:
    near_miss = "a" * 40 + "!"
    assert Pattern(pattern).matches(near_miss) is False
    assert Pattern(pattern).matches("a" * 40) is True


def test_a_pattern_matches_anywhere_unless_anchored() -> None:
    assert Pattern("b").matches("abc")
    assert not Pattern("^b").matches("abc")
    assert not Pattern("^[a-z]+$").matches("abc\n")


@pytest.mark.parametrize("pattern", ["([", "(?=a)", "a{1000000}"])
def test_a_pattern_the_engine_refuses_is_a_value_error(pattern: str) -> None:
    with pytest.raises(ValueError, match="not a regular expression the engine accepts") as error:
        Pattern(pattern).compile()
    assert "\n" not in str(error.value)
