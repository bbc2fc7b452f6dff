"""Parse the documented ``validations`` lists into typed :class:`Rule` objects."""

from __future__ import annotations

import math
import re
from typing import Any

from generator.errors import InputError, join_pointer
from generator.runtime._protocol import VALIDATIONS_KEYWORD
from generator.schema.ir import Metric, Operator, Rule

__all__ = ["VALIDATIONS_KEYWORD", "parse_rules"]


# Longest operators first so that "<=" is not read as "<" followed by "=".
_RULE = re.compile(
    r"\s*(?P<metric>[A-Za-z_/]+?)\s*(?P<op><=|>=|<|>)\s*",
)
_ENTRY_KEYS = {"validation_rule", "validation_value", "validation_error"}


def _parse_rule(entry: Any, file: str, pointer: str) -> Rule:
    if not isinstance(entry, dict):
        raise InputError(file, "a validation entry must be an object", pointer)
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        raise InputError(file, f"unknown validation entry key(s): {', '.join(unknown)}", pointer)
    spelled = entry.get("validation_rule")
    if not isinstance(spelled, str):
        raise InputError(
            file, "validation_rule must be a string", join_pointer(pointer, "validation_rule")
        )
    match = _RULE.fullmatch(spelled)
    if match is None:
        raise InputError(
            file,
            f"validation_rule {spelled!r} is not <metric><operator> "
            f"(operators: {', '.join(o.value for o in Operator)})",
            join_pointer(pointer, "validation_rule"),
        )
    try:
        metric = Metric(match["metric"])
    except ValueError:
        raise InputError(
            file,
            f"unknown validation metric {match['metric']!r} "
            f"(known: {', '.join(m.value for m in Metric)})",
            join_pointer(pointer, "validation_rule"),
        ) from None
    value = entry.get("validation_value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(
            file,
            f"validation_value must be a finite number, not {value!r}",
            join_pointer(pointer, "validation_value"),
        )
    message = entry.get("validation_error", "")
    if not isinstance(message, str):
        raise InputError(
            file, "validation_error must be a string", join_pointer(pointer, "validation_error")
        )
    return Rule(metric=metric, operator=Operator(match["op"]), value=value, message=message)


def parse_rules(validations: Any, file: str, pointer: str) -> tuple[Rule, ...]:
    """Parse a documented ``validations`` value found at ``pointer``."""
    if not isinstance(validations, list):
        raise InputError(file, "validations must be a list", pointer)
    return tuple(
        _parse_rule(entry, file, join_pointer(pointer, index))
        for index, entry in enumerate(validations)
    )
