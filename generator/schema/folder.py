"""Every model of a schemas folder, normalized: what ``generate`` and ``serve`` both start from."""

from __future__ import annotations

from pathlib import Path

from generator.errors import InputError
from generator.schema.documented import discover_models, load_model_file
from generator.schema.ir import ModelSpec
from generator.schema.normalize import normalize

__all__ = ["load_folder"]


def load_folder(schemas_dir: Path) -> list[ModelSpec]:
    """Normalize every model file under ``schemas_dir``, ordered by model id.

    An unusable file, an empty folder, or two files documenting one model id is an InputError.
    """
    if not schemas_dir.is_dir():
        raise InputError(str(schemas_dir), "not a folder of model files")
    by_id: dict[str, ModelSpec] = {}
    for path in discover_models(schemas_dir):
        spec = normalize(load_model_file(path))
        if spec.model_id in by_id:
            raise InputError(
                str(path), f"model {spec.model_id!r} is also in {by_id[spec.model_id].file}"
            )
        by_id[spec.model_id] = spec
    if not by_id:
        raise InputError(str(schemas_dir), "holds no model files (<model_id>.json)")
    return [by_id[model_id] for model_id in sorted(by_id)]
