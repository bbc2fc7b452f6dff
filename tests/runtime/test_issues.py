"""The issue helpers the generated validators call: plain ``Issue`` tuples, the caller's order."""

from __future__ import annotations

from generator.runtime._types import Issue
from generator.runtime._validation import broken, not_one_of, required, unknown_keys, wrong_type

KNOWN = {"149_shift": "shift", "155_prompt": "prompt"}


def test_each_helper_makes_an_issue_with_pointer_name_and_rule() -> None:
    made = [
        required("/155_prompt", "prompt"),
        wrong_type("/149_shift", "shift", "an integer", "5"),
        broken("/149_shift", "shift", "maximum", "be <= 15", 20),
        not_one_of("/r", "ratio", dict.fromkeys(["1:1", "16:9"]), "2:1"),
    ]
    assert all(type(issue) is Issue and issue.is_error for issue in made)
    assert [str(issue) for issue in made] == [
        "prompt (155_prompt): is required",
        "shift (149_shift): must be an integer, not a string",
        "shift (149_shift): must be <= 15, not 20",
        "ratio (r): must be one of '1:1', '16:9', not '2:1'",
    ]
    assert made[2] == Issue("/149_shift", "must be <= 15, not 20", "maximum", "error", "shift")


def test_unknown_keys_come_in_the_payload_order_with_hints() -> None:
    payload = {"zeta": 1, "shift": 2, "149_shift": 3, "a/b": 4, "155_PROMPT": 5}
    issues = unknown_keys(payload, KNOWN, "/loras/0")
    assert [issue.pointer for issue in issues] == [
        "/loras/0/zeta",
        "/loras/0/shift",
        "/loras/0/a~1b",
        "/loras/0/155_PROMPT",
    ]
    assert issues[1].message.endswith("the wire key of 'shift' is '149_shift'")
    assert issues[3].message.endswith("did you mean '155_prompt'?")
    assert {issue.rule for issue in issues} == {"additionalProperties"}
    assert unknown_keys({"149_shift": 1}, KNOWN) == []


def test_json_literals_are_spelled_as_in_json() -> None:
    options = dict.fromkeys(["a", None])
    assert not_one_of("/m", "m", options, True).message == "must be one of 'a', null, not true"
    assert broken("/b", "b", "const", "be false", None).message == "must be false, not null"
