"""A request payload for each model that passes its own input schema.

The docs show it as a Python call and a curl body, so it must validate: pages sometimes
document examples that do not (a bare file name where a URL is required, an empty string).
The page's example is used as it is when it validates; otherwise its valid entries are kept
and every other required field gets a value built from the schema (default, first enum value,
a bound, a placeholder ``https://example.com/`` URL with the medium's file extension).
"""

from __future__ import annotations

import copy
from typing import Any

from generator.errors import InputError, join_pointer
from generator.schema.formats import SchemaValidator, format_checker
from generator.schema.ir import Constraints, FieldSpec, MediaKind, ModelSpec

__all__ = ["MEDIA_EXTENSIONS", "example_payload", "example_url", "validation_errors"]

#: The placeholder file extension per medium (the URL points at no real file).
MEDIA_EXTENSIONS = {MediaKind.IMAGE: "png", MediaKind.VIDEO: "mp4", MediaKind.AUDIO: "mp3"}
_FORMAT_CHECKER = format_checker()
_PLACEHOLDER_TEXT = "example"


def validation_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """Messages of every way ``instance`` fails ``schema`` (formats checked), pointer first."""
    validator = SchemaValidator(schema, format_checker=_FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.path])
    return [f"{join_pointer('', *err.path) or '/'}: {err.message}" for err in errors]


def _valid(schema: dict[str, Any], instance: Any) -> bool:
    return not validation_errors(schema, instance)


def example_url(media: MediaKind | None, index: int | None = None) -> str:
    """``https://example.com/input.png``; ``input-2.png`` for the second file of a list."""
    stem = "input" if index is None else f"input-{index}"
    extension = MEDIA_EXTENSIONS[media] if media is not None else "bin"
    return f"https://example.com/{stem}.{extension}"


def _number(c: Constraints, integer: bool) -> int | float:
    """The smallest allowed value (or the largest, or 0), respecting exclusive bounds."""
    step = 1 if integer else 0.5
    if c.minimum is not None:
        value: int | float = c.minimum
    elif c.exclusive_minimum is not None:
        value = c.exclusive_minimum + step
    elif c.maximum is not None:
        value = min(c.maximum, 0)
    elif c.exclusive_maximum is not None:
        value = min(c.exclusive_maximum - step, 0)
    else:
        value = 0
    multiple = c.multiple_of
    if multiple is not None and multiple > 0 and value % multiple:
        value = (value // multiple + 1) * multiple
    return int(value) if integer else value


def _string(c: Constraints, media: MediaKind | None, index: int | None, label: str) -> str:
    if media is not None or c.format in ("uri", "url", "iri"):
        return example_url(media, index)
    text = f"{_PLACEHOLDER_TEXT} {label}".strip()
    if index is not None:
        text = f"{text} {index}"
    if c.min_length is not None and len(text) < c.min_length:
        text = text + "x" * (c.min_length - len(text))
    if c.max_length is not None:
        text = text[: c.max_length]
    return text


def _built(
    schema: dict[str, Any], media: MediaKind | None, index: int | None = None, label: str = ""
) -> Any:
    """A value for ``schema`` made from its constraints alone (``label`` names a text field)."""
    if "const" in schema:
        return copy.deepcopy(schema["const"])
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return copy.deepcopy(schema["enum"][0])
    kind = schema.get("type")
    if kind == "string":
        return _string(Constraints.of(schema), media, index, label)
    if kind in ("integer", "number"):
        return _number(Constraints.of(schema), integer=kind == "integer")
    if kind == "boolean":
        return False
    if kind == "array":
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        count = max(schema.get("minItems", 1), 1)
        if count == 1:
            return [_candidate(items, media, label=label)]
        return [_candidate(items, media, i, label) for i in range(1, count + 1)]
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            key: _candidate(properties[key], None, label=key)
            for key in schema.get("required", [])
            if key in properties
        }
    return None


def _useful(schema: dict[str, Any], value: Any) -> bool:
    """Valid and not empty: an empty prompt or list would show a reader nothing."""
    return value not in ("", [], {}) and _valid(schema, value)


def _candidate(
    schema: dict[str, Any], media: MediaKind | None, index: int | None = None, label: str = ""
) -> Any:
    """The documented default when it is useful, else a value built from the constraints."""
    if index is None and "default" in schema and _useful(schema, schema["default"]):
        return copy.deepcopy(schema["default"])
    value = _built(schema, media, index, label)
    if value in ("", [], {}) and "default" in schema and _valid(schema, schema["default"]):
        return copy.deepcopy(schema["default"])  # e.g. maxLength 0: the empty default it is
    return value


def _field_value(spec: ModelSpec, field: FieldSpec) -> Any:
    value = _candidate(field.schema, field.media, label=field.python_name.replace("_", " "))
    problems = validation_errors(field.schema, value)
    if problems:
        raise InputError(
            spec.file,
            f"cannot build an example value for {field.wire_key!r}: {problems[0]}",
            field.pointer,
        )
    return value


def example_payload(spec: ModelSpec) -> dict[str, Any]:
    """A wire payload (keys are wire keys) that validates against ``spec.input_schema``."""
    if spec.example is not None and _valid(spec.input_schema, spec.example):
        return copy.deepcopy(spec.example)
    documented = spec.example or {}
    payload: dict[str, Any] = {}
    for field in spec.fields:
        if field.wire_key in documented and _useful(field.schema, documented[field.wire_key]):
            payload[field.wire_key] = copy.deepcopy(documented[field.wire_key])
        elif field.required:
            payload[field.wire_key] = _field_value(spec, field)
    problems = validation_errors(spec.input_schema, payload)
    if problems:
        raise InputError(
            spec.file, f"cannot build an example request that validates: {problems[0]}", "/example"
        )
    return payload
