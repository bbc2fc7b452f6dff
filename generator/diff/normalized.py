"""Read a model back from its normalized JSON Schemas (``generated/schemas/<model_id>/``).

``generate`` compares what it is about to write with the committed golden record, which holds
normalized schemas only. Everything :func:`generator.diff.compare` reads is in them: Python
names follow from keys, titles and the names file exactly as in normalization; media kinds
from ``contentMediaType``; custom rules from ``x-runcomfy-validations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.errors import InputError, join_pointer
from generator.schema.ir import MediaKind, Metric, ModelSpec, Operator, Rule
from generator.schema.names import assign_names
from generator.schema.normalize import field_spec, output_field_spec
from generator.schema.rules import VALIDATIONS_KEYWORD

__all__ = ["spec_from_normalized"]

_MEDIA_TYPES = {kind.content_media_type: kind for kind in MediaKind}


def _media(schema: dict[str, Any]) -> MediaKind | None:
    items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    assert isinstance(items, dict)
    return _MEDIA_TYPES.get(schema.get("contentMediaType") or items.get("contentMediaType", ""))


def _rules(schema: dict[str, Any], file: str, pointer: str) -> tuple[Rule, ...]:
    target = schema["items"] if schema.get("type") == "array" else schema
    entries = target.get(VALIDATIONS_KEYWORD, []) if isinstance(target, dict) else []
    try:
        return tuple(
            Rule(Metric(e["metric"]), Operator(e["operator"]), e["value"], e["message"])
            for e in entries
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(file, f"malformed {VALIDATIONS_KEYWORD}: {exc}", pointer) from None


def spec_from_normalized(
    model_id: str,
    input_schema: dict[str, Any],
    output_schema: dict[str, Any],
    *,
    names: Mapping[str, str] | None = None,
    file: str = "<generated>",
    endpoint: str | None = None,
) -> ModelSpec:
    """A :class:`ModelSpec` for :func:`generator.diff.compare` from normalized schemas.

    ``names`` are the model's Python-name overrides (its ``.names.json``), if any.
    """
    properties = input_schema.get("properties")
    if not isinstance(properties, dict):
        raise InputError(file, "the input schema has no properties", "/properties")
    required = set(input_schema.get("required", []))
    titled = [(key, p.get("title") if isinstance(p.get("title"), str) else None)
              for key, p in properties.items()]  # fmt: skip
    named = assign_names(titled, dict(names or {}), file, file)
    fields = [
        field_spec(
            key,
            schema,
            n,
            required=key in required,
            media=_media(schema),
            rules=_rules(schema, file, join_pointer("/properties", key)),
            pointer=join_pointer("/properties", key),
        )
        for n, (key, schema) in zip(named, properties.items(), strict=True)
    ]
    out_properties = output_schema.get("properties")
    if not isinstance(out_properties, dict):
        raise InputError(file, "the output schema has no properties", "/properties")
    out_names = assign_names([(k, None) for k in out_properties], {}, file, file)
    outputs = tuple(
        output_field_spec(key, schema, n)
        for n, (key, schema) in zip(out_names, out_properties.items(), strict=True)
    )
    return ModelSpec(
        model_id=model_id,
        endpoint=endpoint or f"https://model-api.runcomfy.net/v1/models/{model_id}",
        source=file,
        file=file,
        fields=tuple(fields),
        outputs=outputs,
        input_schema=input_schema,
        output_schema=output_schema,
        example=None,
    )
