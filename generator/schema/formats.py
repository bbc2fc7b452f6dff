"""The JSON Schema vocabulary the generator knows: types, formats, the one format checker and
the one validator class.

Normalize, lint and serve read these instead of keeping their own copies. The ``uri`` check is
the runtime's :func:`~generator.runtime._validation.is_url`, the URL rule the generated
validators apply, so a URL that the SDK refuses is refused by ``serve`` and ``lint`` too.
``pattern`` is matched by the runtime's :class:`~generator.runtime._validation.Pattern`
(linear time), never by ``re``: schemas are untrusted, and a default, an example or a request
checked against ``^(a|a)*$`` by a backtracking engine made generate, lint and serve run for
ever.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any, cast

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema.protocols import Validator

from generator.runtime._validation import Pattern, is_url

__all__ = ["JSON_TYPES", "KNOWN_FORMATS", "SchemaValidator", "format_checker"]

#: The types of JSON Schema.
JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})
#: Formats that mean something: those jsonschema checks, plus OpenAPI's annotations.
KNOWN_FORMATS = frozenset(FormatChecker().checkers) | {"uri", "binary", "byte", "password"}


def _uri(value: Any) -> bool:
    return not isinstance(value, str) or is_url(value)


def format_checker() -> FormatChecker:
    """jsonschema's format checks, with the shared URL rule for ``uri``."""
    checker = FormatChecker()
    checker.checks("uri")(_uri)
    return checker


@lru_cache(maxsize=1024)
def _pattern(pattern: str) -> Pattern:
    return Pattern(pattern)


def _linear_pattern(
    validator: Validator, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _pattern(pattern).matches(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


#: Draft 2020-12 with ``pattern`` matched in linear time. Schemas with ``patternProperties``
#: (which jsonschema matches with ``re``) never get here: the guard refuses them.
_EXTEND: Any = validators.extend
SchemaValidator = cast(
    type[Draft202012Validator], _EXTEND(Draft202012Validator, {"pattern": _linear_pattern})
)
