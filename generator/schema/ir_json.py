"""The IR as plain JSON (for ``normalize --ir`` and snapshot tests)."""

from __future__ import annotations

from typing import Any

from generator.schema.ir import ModelSpec

__all__ = ["spec_to_json"]


def spec_to_json(spec: ModelSpec) -> dict[str, Any]:
    return {
        "model_id": spec.model_id,
        "endpoint": spec.endpoint,
        "fields": [
            {
                "wire_key": f.wire_key,
                "python_name": f.python_name,
                "name_origin": f.name_origin.value,
                "name_deduplicated": f.name_deduplicated,
                "json_type": f.json_type,
                "item_type": f.item_type,
                "required": f.required,
                "has_default": f.has_default,
                "default": f.default,
                "enum": list(f.enum) if f.enum is not None else None,
                "media": f.media.value if f.media else None,
                "rules": [r.to_json() for r in f.rules],
                "pointer": f.pointer,
            }
            for f in spec.fields
        ],
        "outputs": [
            {"wire_key": o.wire_key, "python_name": o.python_name, "json_type": o.json_type}
            for o in spec.outputs
        ],
        "diagnostics": [
            {"code": d.code, "pointer": d.pointer, "message": d.message} for d in spec.diagnostics
        ],
    }
