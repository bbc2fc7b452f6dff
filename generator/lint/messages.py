"""Does a validation message say the same bound as its rule? (English messages only.)

RunComfy writes ``validation_error`` by hand, so it drifts from the rule: seed 002 says
"at least 320 pixels" for ``width_pixels>`` 320, which rejects exactly 320. Messages in other
languages, or without a bound phrase, are not judged.
"""

from __future__ import annotations

import re

from generator.schema.ir import Metric, Rule

__all__ = ["message_contradiction"]

_UPPER, _LOWER = "upper", "lower"

# Ordered: negated and inclusive phrases are matched (and blanked out) before the strict ones
# they contain ("not more than" must not count as "more than").
_PHRASES: tuple[tuple[re.Pattern[str], str, bool], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), direction, strict)
    for pattern, direction, strict in (
        (r"\b(?:no|not)\s+(?:more|greater|larger|bigger|higher|longer)\s+than\b", _UPPER, False),
        (r"\b(?:no|not)\s+(?:less|fewer|smaller|lower|shorter)\s+than\b", _LOWER, False),
        (r"\b(?:not|never|cannot|can't)\s+exceed(?:s|ing)?\b", _UPPER, False),
        (r"\bat\s+least\b|\bminimum\b|\bmin\b|\bor\s+(?:more|greater|larger)\b|>=|≥",
         _LOWER, False),
        (r"\bat\s+most\b|\bmaximum\b|\bmax\b|\bup\s+to\b|\bor\s+(?:less|fewer|smaller)\b|<=|≤",
         _UPPER, False),
        (r"\b(?:greater|more|larger|bigger|higher|longer)\s+than\b|\bexceed(?:s|ing)?\b"
         r"|\babove\b|\bover\b|>", _LOWER, True),
        (r"\b(?:less|fewer|smaller|lower|shorter)\s+than\b|\bunder\b|\bbelow\b|<", _UPPER, True),
    )
)  # fmt: skip
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")


def _bounds(message: str) -> set[tuple[str, bool]]:
    found: set[tuple[str, bool]] = set()
    for pattern, direction, strict in _PHRASES:
        if pattern.search(message):
            found.add((direction, strict))
            message = pattern.sub(" ", message)
    return found


def _describe(direction: str, strict: bool) -> str:
    if direction == _UPPER:
        return "strictly below" if strict else "at most"
    return "strictly above" if strict else "at least"


def message_contradiction(rule: Rule) -> str | None:
    """Why ``rule.message`` contradicts the rule, or None when it agrees or cannot be judged."""
    said = _bounds(rule.message)
    direction = _UPPER if rule.operator.is_upper_bound else _LOWER
    meant = (direction, rule.operator.is_strict)
    value = f"{rule.value:g}"
    if said and meant not in said:
        same_direction = [s for s in said if s[0] == direction]
        spelled = f"{rule.rule} {value}"
        if same_direction:
            return (
                f"rule {spelled!r} means {_describe(*meant)} {value}, but the message says "
                f"{_describe(*same_direction[0])}: {rule.message!r}"
            )
        opposite = next(iter(said))
        return (
            f"rule {spelled!r} is {'an upper' if direction == _UPPER else 'a lower'} bound, "
            f"but the message says {_describe(*opposite)}: {rule.message!r}"
        )
    # Aspect ratios are written as "3:1" or "1:16"; only plain quantities are compared.
    numbers = {float(n) for n in _NUMBER.findall(rule.message)}
    if rule.metric is not Metric.ASPECT_RATIO and numbers and float(rule.value) not in numbers:
        shown = ", ".join(f"{n:g}" for n in sorted(numbers))
        return f"rule {rule.rule!r} is {value}, but the message says {shown}: {rule.message!r}"
    return None
