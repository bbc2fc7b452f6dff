"""The corpus of real catalog input schemas as model files (../shared/corpus has inputs only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.schema.documented import DocumentedModel, dump_model_file, model_path

#: The output schema RunComfy documents for every model (the corpus has input schemas only).
STANDARD_OUTPUT_SCHEMA: dict[str, Any] = {
    "output": {
        "type": "object",
        "properties": {
            "image": {"type": "string", "format": "uri"},
            "video": {"type": "string", "format": "uri"},
            "images": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "videos": {"type": "array", "items": {"type": "string", "format": "uri"}},
        },
    }
}


def corpus_model(entry: dict[str, Any]) -> DocumentedModel:
    """One corpus entry as a documented model with the standard output schema."""
    return DocumentedModel(
        model_id=entry["model_id"],
        endpoint="https://model-api.runcomfy.net/v1/models/" + entry["model_id"],
        source="catalog-input-schemas.json",
        example=None,
        input_schema=entry["input_schema"],
        output_schema=STANDARD_OUTPUT_SCHEMA,
        file=f"corpus:{entry['model_id']}",
    )


def documented_model(
    input_schema: dict[str, Any],
    model_id: str = "owner/model/text-to-image",
    example: dict[str, Any] | None = None,
) -> DocumentedModel:
    """A documented model of ``input_schema`` with the standard output schema (file
    ``test.json``), as a test builds one."""
    return DocumentedModel(
        model_id=model_id,
        endpoint="https://model-api.runcomfy.net/v1/models/" + model_id,
        source="test",
        example=example,
        input_schema=input_schema,
        output_schema=STANDARD_OUTPUT_SCHEMA,
        file="test.json",
    )


def write_corpus_schemas(folder: Path, corpus: list[dict[str, Any]]) -> Path:
    """Write every corpus entry as ``<folder>/<model_id>.json``; returns ``folder``."""
    for entry in corpus:
        model = corpus_model(entry)
        path = model_path(folder, model.model_id, model.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_model_file(model), encoding="utf-8")
    return folder
