"""A valid call of each bundled model, worked out from its normalized spec (not hard-coded).

Media fields get the server's own sample files (which pass the documented file rules), other
fields the documented example value, else their default, else the simplest value their
schema allows. Only required fields and example fields are given.
"""

from __future__ import annotations

from typing import Any

from generator.schema.documented import discover_models, load_model_file
from generator.schema.ir import FieldSpec, MediaKind, ModelSpec
from generator.schema.normalize import normalize
from generator.serve import RunningServer

from .conftest import SCHEMAS

__all__ = ["bundled_specs", "valid_kwargs", "valid_wire_payload"]

_SAMPLE = {MediaKind.IMAGE: "image.png", MediaKind.VIDEO: "video.mp4", MediaKind.AUDIO: "audio.wav"}


def bundled_specs() -> list[ModelSpec]:
    specs = [normalize(load_model_file(path)) for path in discover_models(SCHEMAS)]
    return sorted(specs, key=lambda spec: spec.model_id)


def _simplest(field: FieldSpec, schema: dict[str, Any]) -> Any:
    if field.enum:
        return field.enum[0]
    kind = schema.get("type")
    if kind == "string":
        return "a quiet harbour at dawn"
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if kind == "array":
        item = schema.get("items", {})
        return [_simplest(field, item)] * max(1, int(schema.get("minItems", 1)))
    raise AssertionError(f"{field.pointer}: no simple value for type {kind!r}")


def _value(field: FieldSpec, example: dict[str, Any], server: RunningServer) -> Any:
    if field.media is not None:
        url = server.sample_url(_SAMPLE[field.media])
        return [url] if field.is_array else url
    documented = example.get(field.wire_key)
    if documented not in (None, "", []):
        return documented
    if field.has_default:
        return field.default
    return _simplest(field, field.schema)


def valid_wire_payload(spec: ModelSpec, server: RunningServer) -> dict[str, Any]:
    example = spec.example or {}
    return {
        field.wire_key: _value(field, example, server)
        for field in spec.fields
        if field.required or field.wire_key in example
    }


def valid_kwargs(spec: ModelSpec, server: RunningServer) -> dict[str, Any]:
    """The typed ``run``/``submit`` keyword arguments (Python names) of a valid call."""
    payload = valid_wire_payload(spec, server)
    return {
        field.python_name: payload[field.wire_key]
        for field in spec.fields
        if field.wire_key in payload
    }
