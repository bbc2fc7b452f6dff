"""The JSON Schema vocabulary the generator knows: types, formats, and the one format checker.

Normalize, lint and serve read these instead of keeping their own copies. The ``uri`` check is
the runtime's :func:`~generator.runtime._validation.is_url`, the URL rule the generated
validators apply, so a URL that the SDK refuses is refused by ``serve`` and ``lint`` too.
"""

from __future__ import annotations

from typing import Any

from jsonschema import FormatChecker

from generator.runtime._validation import is_url

__all__ = ["JSON_TYPES", "KNOWN_FORMATS", "format_checker"]

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
