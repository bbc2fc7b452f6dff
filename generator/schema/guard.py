"""What no real schema needs, refused before normalization (limits: :mod:`generator.limits`).

Two walks over a documented model:

* :func:`check_values` looks at every JSON value of the model file: numbers must be finite and
  within float range (``NaN``, ``Infinity`` and ``1e309`` have no JSON value and would reach
  generated code as ``nan``/``inf``), strings and nesting are bounded, the example is small.
* :func:`check_schema_shape` looks at one schema after ``$ref`` inlining, every subschema of it:
  nesting of nested models, property and enum counts, ``pattern`` (bounded, no nested
  quantifiers that make a backtracking engine take exponential time, accepted by the
  linear-time engine that matches it, :class:`~generator.runtime._validation.Pattern`), no
  ``patternProperties`` (jsonschema matches those with ``re``) and the size of the smallest
  instance the schema allows (``minLength: 300000000`` would make generate build a 300 MB
  example).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from generator import limits
from generator.errors import InputError, join_pointer
from generator.runtime._validation import Pattern

__all__ = ["check_example_size", "check_schema_shape", "check_values", "minimum_instance_size"]

#: Regular-expression features pydantic-core's (Rust) engine refuses when the model is built.
_UNSUPPORTED_REGEX = re.compile(r"\(\?<?[=!]|\(\?P=|\\[1-9]")


#: A UTF-16 surrogate on its own: JSON's ``"\\ud800"`` escape decodes to one, and no UTF-8
#: file, Python module or HTTP body can hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_MESSAGE = (
    "{what} holding half a UTF-16 surrogate pair (a lone \\ud800-\\udfff escape), which is not text"
)


def _is_text(value: str) -> bool:
    return value.isascii() or _LONE_SURROGATE.search(value) is None


#: Keywords whose value is one schema, besides ``items``: a pattern or a limit below them counts
#: like one below ``properties``.
_SUBSCHEMA_KEYWORDS = (
    "additionalProperties",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "not",
    "if",
    "then",
    "else",
)


def check_values(value: Any, file: str, pointer: str = "", depth: int = 0) -> None:
    """Every number finite and in float range, every string and nesting level bounded."""
    if depth > limits.MAX_JSON_DEPTH:
        raise InputError(
            file, f"nested deeper than {limits.MAX_JSON_DEPTH} arrays/objects (the limit)", pointer
        )
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(
            file, f"{value!r} is not a JSON number (numbers must be finite)", pointer or "/"
        )
    if isinstance(value, int) and abs(value) > limits.MAX_NUMBER:
        raise InputError(file, "an integer beyond the range of a float (JSON number)", pointer)
    if isinstance(value, str):
        if len(value) > limits.MAX_STRING_CHARS:
            raise InputError(
                file, f"a string longer than {limits.MAX_STRING_CHARS:,} characters (the limit)",
                pointer,
            )  # fmt: skip
        if not _is_text(value):
            raise InputError(file, _SURROGATE_MESSAGE.format(what="a string"), pointer)
    if isinstance(value, dict):
        for key, sub in value.items():
            at = join_pointer(pointer, key)
            if len(key) > limits.MAX_STRING_CHARS:
                raise InputError(file, "a key longer than the string limit", pointer)
            if not _is_text(key):
                raise InputError(file, _SURROGATE_MESSAGE.format(what="a key"), pointer)
            check_values(sub, file, at, depth + 1)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            check_values(sub, file, join_pointer(pointer, index), depth + 1)


def check_example_size(example: Any, file: str) -> None:
    size = len(json.dumps(example, ensure_ascii=False).encode("utf-8"))
    if size > limits.MAX_EXAMPLE_BYTES:
        raise InputError(
            file,
            f"the example request is {size:,} bytes, over the {limits.MAX_EXAMPLE_BYTES:,}"
            " byte limit",
            "/example",
        )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def minimum_instance_size(schema: Any) -> int:
    """Characters and items of the smallest instance ``schema`` allows (a lower estimate)."""
    if not isinstance(schema, dict):
        return 1
    size = 1 + _count(schema.get("minLength"))
    items = schema.get("items")
    if _count(schema.get("minItems")):
        size += _count(schema.get("minItems")) * minimum_instance_size(items)
    properties = schema.get("properties")
    required = schema.get("required")
    if isinstance(properties, dict) and isinstance(required, list):
        for key in required:
            if isinstance(key, str) and key in properties:
                size += minimum_instance_size(properties[key])
                if size > limits.MAX_MINIMUM_INSTANCE_SIZE:
                    break
    size += _count(schema.get("minProperties"))
    return min(size, limits.MAX_MINIMUM_INSTANCE_SIZE + 1)


def _nested_quantifier(pattern: str) -> bool:
    """A quantified group that holds a quantifier, ``(a+)+`` or ``(a|b*){2,}``: the shape of
    regular expressions whose matching time grows exponentially with the input."""
    stack: list[bool] = []  # per open group: does it hold a quantifier?
    escaped = in_class = False
    closed_quantified = False
    for char in pattern:
        if escaped:
            escaped = False
            closed_quantified = False
            continue
        if char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            stack.append(False)
        elif char == ")" and stack:
            closed_quantified = stack.pop()
            if closed_quantified and stack:
                stack[-1] = True
            continue
        elif char in "*+{":
            if closed_quantified:
                return True
            if stack:
                stack[-1] = True
        closed_quantified = False
    return False


def check_schema_shape(schema: Any, file: str, pointer: str, nesting: int = 0) -> None:
    """Nesting, property and enum counts and patterns of one (ref-inlined) schema."""
    if not isinstance(schema, dict):
        return
    if nesting > limits.MAX_SCHEMA_NESTING:
        raise InputError(
            file,
            f"objects and arrays nested more than {limits.MAX_SCHEMA_NESTING} levels deep "
            "(the limit)",
            pointer,
        )
    enum = schema.get("enum")
    if isinstance(enum, list) and len(enum) > limits.MAX_ENUM_VALUES:
        raise InputError(
            file,
            f"an enum of {len(enum):,} values, over the limit of {limits.MAX_ENUM_VALUES:,}",
            join_pointer(pointer, "enum"),
        )
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        at = join_pointer(pointer, "pattern")
        if len(pattern) > limits.MAX_PATTERN_CHARS:
            raise InputError(file, f"a pattern over {limits.MAX_PATTERN_CHARS} characters", at)
        if _UNSUPPORTED_REGEX.search(pattern):
            raise InputError(
                file,
                "a pattern with lookaround or a backreference: the generated models' regex "
                "engine (pydantic-core's) does not support it",
                at,
            )
        if _nested_quantifier(pattern):
            raise InputError(
                file,
                "a pattern with a repeated group that itself repeats (such as (a+)+) can take "
                "exponential time to match; write it without nested quantifiers",
                at,
            )
        try:
            Pattern(pattern).compile()
        except ValueError as exc:
            raise InputError(file, f"pattern: {exc}", at) from None
    if "patternProperties" in schema:
        raise InputError(
            file,
            "patternProperties is not supported: its regular expressions would be matched by "
            "a backtracking engine; list the properties",
            join_pointer(pointer, "patternProperties"),
        )
    properties = schema.get("properties")
    if isinstance(properties, dict):
        if len(properties) > limits.MAX_PROPERTIES:
            raise InputError(
                file,
                f"{len(properties):,} properties, over the limit of {limits.MAX_PROPERTIES}",
                join_pointer(pointer, "properties"),
            )
        for key, sub in properties.items():
            if key == "":
                # pydantic takes an empty alias for none: the request would carry the
                # Python name instead of the key. No real input is nameless.
                raise InputError(
                    file, "a property key is empty", join_pointer(pointer, "properties", key)
                )
            check_schema_shape(sub, file, join_pointer(pointer, "properties", key), nesting + 1)
    items = schema.get("items")
    if isinstance(items, dict):
        check_schema_shape(items, file, join_pointer(pointer, "items"), nesting + 1)
    for keyword in ("anyOf", "oneOf", "allOf", "prefixItems"):
        branches = schema.get(keyword)
        if isinstance(branches, list):
            for index, sub in enumerate(branches):
                check_schema_shape(sub, file, join_pointer(pointer, keyword, index), nesting + 1)
    for keyword in _SUBSCHEMA_KEYWORDS:
        check_schema_shape(schema.get(keyword), file, join_pointer(pointer, keyword), nesting + 1)
    dependent = schema.get("dependentSchemas")
    if isinstance(dependent, dict):
        for key, sub in dependent.items():
            at = join_pointer(pointer, "dependentSchemas", key)
            check_schema_shape(sub, file, at, nesting + 1)
    # After the children, so that the error names the innermost schema that is too large.
    if minimum_instance_size(schema) > limits.MAX_MINIMUM_INSTANCE_SIZE:
        raise InputError(
            file,
            "the smallest value this schema allows is over "
            f"{limits.MAX_MINIMUM_INSTANCE_SIZE:,} characters/items (minLength, minItems); "
            "no real request is that large",
            pointer,
        )
