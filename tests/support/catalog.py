"""Model files as ``pull`` writes them, made from corpus entries (for the pull and diff tests)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from generator.schema.documented import (
    CatalogInfo,
    DocumentedModel,
    dump_model_file,
    load_model_file,
    model_path,
)
from tests.support.corpus import STANDARD_OUTPUT_SCHEMA

__all__ = ["catalog_model", "write_model"]


def catalog_model(entry: dict[str, Any], **changes: Any) -> DocumentedModel:
    medium = entry["output_type"].lower()
    model = DocumentedModel(
        model_id=entry["model_id"],
        endpoint="https://model-api.runcomfy.net/v1/models/" + entry["model_id"],
        source="catalog",
        example=None,
        input_schema=entry["input_schema"],
        output_schema=STANDARD_OUTPUT_SCHEMA,
        catalog=CatalogInfo(
            display_name=entry["display_name"],
            categories=(f"text-to-{medium}",),
            kind="model",
            base_price_usd=0.05 if medium == "image" else 0.12,
            price_unit="output" if medium == "image" else "second",
        ),
    )
    return replace(model, **changes)


def write_model(folder: Path, model: DocumentedModel) -> Path:
    path = model_path(folder, model.model_id, "test")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_model_file(model), encoding="utf-8")
    return path


def schemas_with_catalog_info(source: Path, folder: Path, model_id: str, info: CatalogInfo) -> Path:
    """A copy of the schemas folder ``source`` in which ``model_id``'s file carries catalog
    facts ``info`` (as ``pull`` writes them); returns ``folder``."""
    shutil.copytree(source, folder)
    path = folder / f"{model_id}.json"
    path.write_text(dump_model_file(replace(load_model_file(path), catalog=info)), "utf-8")
    return folder
