"""The URL rule's fast form (possessive quantifiers) matches exactly what the same pattern
with ordinary quantifiers matches, and only URLs the full RFC 3986 form accepts."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.runtime._validation import _FAST_URL, _full_url

#: The fast form as it was written with ordinary quantifiers.
_BACKTRACKING = re.compile(_FAST_URL.pattern.replace("*+", "*").replace(")?+", ")?"))
_PIECES = ["https", "http", "s3", "://", ":", "/", "?", "#", "@", "%20", "[", "]", "a", "Z"]
_PIECES += ["0", "8080", ".", "-", "_", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";"]
_PIECES += ["=", " ", "\n", "é", "example.com", "x.png"]


@settings(max_examples=1000, derandomize=True, database=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_the_fast_form_is_the_backtracking_form_and_a_subset_of_the_full_one(text: str) -> None:
    fast = _FAST_URL.fullmatch(text) is not None
    assert fast == (_BACKTRACKING.fullmatch(text) is not None)
    if fast:
        assert _full_url().fullmatch(text) is not None


def test_the_two_forms_differ_only_in_their_quantifiers() -> None:
    assert "*+" in _FAST_URL.pattern and "*+" not in _BACKTRACKING.pattern
    assert _BACKTRACKING.fullmatch("https://example.com:8080/a/b.png?x=1&y=2")
