"""A small validator for the JSON Schema subset that normalized RunComfy schemas use.

It returns every problem, each with the JSON pointer of the offending value. Custom file rules
(``x-runcomfy-validations``: file size, pixels, aspect ratio) are checked against the
:class:`FileInfo` the caller gives for a URL; without it they are reported as ``"unchecked"``
issues, never silently passed. ``file_size_mb`` is measured in MiB (``size_bytes / 1024**2``).

Part of the runtime that runcomfy-codegen vendors into every generated package; do not edit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from ._protocol import VALIDATIONS_KEYWORD
from ._types import FileInfo, Issue, escape_pointer_token

__all__ = ["validate_payload"]

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*")
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


def _has_type(value: Any, name: str) -> bool:
    if name == "integer":
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    checks: dict[str, Callable[[Any], bool]] = {
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list | tuple),
        "object": lambda v: isinstance(v, Mapping),
        "null": lambda v: v is None,
    }
    return checks[name](value)


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _measure(metric: str, info: FileInfo) -> float | None:
    if metric == "file_size_mb":
        return None if info.size_bytes is None else info.size_bytes / 1024 / 1024
    if metric == "width_pixels":
        return None if info.width is None else float(info.width)
    if metric == "height_pixels":
        return None if info.height is None else float(info.height)
    if metric == "width/height":
        if info.width is None or not info.height:
            return None
        return info.width / info.height
    return None


class _Validator:
    def __init__(self, files: Mapping[str, FileInfo]) -> None:
        self.files = files
        self.issues: list[Issue] = []

    def add(self, pointer: str, message: str, rule: str) -> None:
        self.issues.append(Issue(pointer=pointer, message=message, rule=rule))

    def check(self, schema: Mapping[str, Any], value: Any, pointer: str) -> None:
        types = schema.get("type")
        if types is not None:
            names = types if isinstance(types, list) else [types]
            if not any(_has_type(value, name) for name in names):
                expected = " or ".join(str(_TYPE_NAMES.get(n, n)) for n in names)
                self.add(pointer, f"must be {expected}, not {type(value).__name__}", "type")
                return
        if "enum" in schema and not any(_equal(value, option) for option in schema["enum"]):
            allowed = ", ".join(repr(option) for option in schema["enum"])
            self.add(pointer, f"must be one of {allowed}, not {value!r}", "enum")
        if "const" in schema and not _equal(value, schema["const"]):
            self.add(pointer, f"must be {schema['const']!r}", "const")
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.number(schema, value, pointer)
        if isinstance(value, str):
            self.string(schema, value, pointer)
        if isinstance(value, list | tuple):
            self.array(schema, value, pointer)
        if isinstance(value, Mapping):
            self.object(schema, value, pointer)

    def number(self, schema: Mapping[str, Any], value: float, pointer: str) -> None:
        if "minimum" in schema and value < schema["minimum"]:
            self.add(pointer, f"must be at least {schema['minimum']}, not {value}", "minimum")
        if "maximum" in schema and value > schema["maximum"]:
            self.add(pointer, f"must be at most {schema['maximum']}, not {value}", "maximum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            limit = schema["exclusiveMinimum"]
            self.add(pointer, f"must be greater than {limit}, not {value}", "exclusiveMinimum")
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            limit = schema["exclusiveMaximum"]
            self.add(pointer, f"must be less than {limit}, not {value}", "exclusiveMaximum")
        step = schema.get("multipleOf")
        if step and not math.isclose(value / step, round(value / step)):
            self.add(pointer, f"must be a multiple of {step}", "multipleOf")

    def string(self, schema: Mapping[str, Any], value: str, pointer: str) -> None:
        if "minLength" in schema and len(value) < schema["minLength"]:
            limit = schema["minLength"]
            self.add(pointer, f"must be at least {limit} characters, not {len(value)}", "minLength")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            limit = schema["maxLength"]
            self.add(pointer, f"must be at most {limit} characters, not {len(value)}", "maxLength")
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            self.add(pointer, f"must match the pattern {schema['pattern']!r}", "pattern")
        if schema.get("format") == "uri" and not _URI.fullmatch(value):
            self.add(pointer, f"must be an absolute URL, not {value!r}", "format")
        rules = schema.get(VALIDATIONS_KEYWORD)
        if rules:
            self.file_rules(rules, value, pointer)

    def file_rules(self, rules: list[Mapping[str, Any]], url: str, pointer: str) -> None:
        info = self.files.get(url)
        for rule in rules:
            name = f"{rule['metric']}{rule['operator']}"
            measured = None if info is None else _measure(rule["metric"], info)
            if measured is None:
                self.issues.append(
                    Issue(pointer=pointer, message=rule["message"], rule=name, severity="unchecked")
                )
            elif not _COMPARE[rule["operator"]](measured, rule["value"]):
                self.add(pointer, rule["message"], name)

    def array(
        self, schema: Mapping[str, Any], value: list[Any] | tuple[Any, ...], pointer: str
    ) -> None:
        if "minItems" in schema and len(value) < schema["minItems"]:
            limit = schema["minItems"]
            self.add(pointer, f"must have at least {limit} items, not {len(value)}", "minItems")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            limit = schema["maxItems"]
            self.add(pointer, f"must have at most {limit} items, not {len(value)}", "maxItems")
        if schema.get("uniqueItems") and len({repr(v) for v in value}) < len(value):
            self.add(pointer, "must not repeat items", "uniqueItems")
        items = schema.get("items")
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                self.check(items, item, f"{pointer}/{index}")

    def object(self, schema: Mapping[str, Any], value: Mapping[str, Any], pointer: str) -> None:
        properties: Mapping[str, Any] = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                self.add(
                    f"{pointer}/{escape_pointer_token(key)}", f"{key!r} is required", "required"
                )
        for key, item in value.items():
            at = f"{pointer}/{escape_pointer_token(key)}"
            if key in properties:
                self.check(properties[key], item, at)
            elif schema.get("additionalProperties") is False:
                self.add(at, f"{key!r} is not a documented input", "additionalProperties")


def validate_payload(
    schema: Mapping[str, Any], payload: Any, *, files: Mapping[str, FileInfo] | None = None
) -> list[Issue]:
    """Every way ``payload`` breaks ``schema``; an empty list when it keeps the contract."""
    validator = _Validator(files or {})
    validator.check(schema, payload, "")
    return validator.issues
