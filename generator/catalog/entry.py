"""One catalog entry -> a model file (``DocumentedModel``), with its output schema derived.

An entry is ``{"model_id", "display_name", "categories", "kind", "base_price_usd",
"price_unit", "pricing_note", "input_schema", ...}``; unknown fields are ignored, known ones
must have their documented type. The model id goes through the same validator as ``import``
(``check_model_id``): the server does not decide where files go.

The catalog publishes no output schema. It is derived (docs/pull.md): the medium the entry's
categories name (``image-to-video`` -> video), else the one its model id names, else image;
the output schema is RunComfy's documented output shape for that one medium, and the model
file says ``"output_schema_source": "derived"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.errors import InputError
from generator.runtime import DEFAULT_BASE_URL
from generator.schema.documented import DERIVED, CatalogInfo, DocumentedModel, check_model_id
from generator.schema.output_medium import (
    derived_output_schema,
    medium_from_categories,
    medium_from_model_id,
)

__all__ = ["SOURCE", "CatalogEntry", "derived_medium", "endpoint_of", "read_entry"]

#: ``source`` of a model file written by ``pull``.
SOURCE = "catalog"
_FALLBACK_MEDIUM = "image"


@dataclass(frozen=True)
class CatalogEntry:
    model_id: str
    info: CatalogInfo
    #: None when the answer held no schema (listing without ``include_schema``).
    input_schema: dict[str, Any] | None

    @property
    def label(self) -> str:
        """How errors name this model."""
        return f"catalog:{self.model_id}"

    def to_model(self) -> DocumentedModel:
        """The model file ``pull`` writes for this entry (before the precedence rules)."""
        if self.input_schema is None:
            raise InputError(self.label, "the catalog sent no input schema", "/input_schema")
        medium = derived_medium(self.model_id, self.info.categories)
        return DocumentedModel(
            model_id=self.model_id,
            endpoint=endpoint_of(self.model_id),
            source=SOURCE,
            example=None,
            input_schema=self.input_schema,
            output_schema=derived_output_schema(medium),
            file=self.label,
            catalog=self.info,
            output_schema_source=DERIVED,
        )


def endpoint_of(model_id: str) -> str:
    """The documented endpoint, as pages spell it (the SDK's base URL is set at run time)."""
    return f"{DEFAULT_BASE_URL}/v1/models/{model_id}"


def derived_medium(model_id: str, categories: tuple[str, ...]) -> str:
    """What the model makes: its categories' medium, else its id's, else image."""
    return medium_from_categories(categories) or medium_from_model_id(model_id) or _FALLBACK_MEDIUM


def read_entry(data: dict[str, Any], where: str, pointer: str = "") -> CatalogEntry:
    """Check one entry's shape; ``where`` and ``pointer`` name it in errors
    (``GET https://.../v1/models?...#/models/3``)."""
    model_id = data.get("model_id")
    if not isinstance(model_id, str):
        raise InputError(where, f"must be a string, not {model_id!r}", f"{pointer}/model_id")
    try:
        check_model_id(model_id, where)
    except InputError as exc:
        raise InputError(where, exc.message, f"{pointer}/model_id") from None
    label = f"catalog:{model_id}"
    info = CatalogInfo.from_json(data, label, "")
    schema = data.get("input_schema")
    if schema is not None and not isinstance(schema, dict):
        raise InputError(label, "the input schema must be an object", "/input_schema")
    return CatalogEntry(model_id=model_id, info=info, input_schema=schema)
