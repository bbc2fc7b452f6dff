"""The catalog endpoints of ``serve``, answered from its schemas folder.

``GET /v1/models`` (``limit``, ``offset``, ``include_schema``, and the filters RunComfy's CLI
sends: ``category``, ``kind``, ``search``) -> ``{"models": [...], "total": N}``;
``GET /v1/models/{model_id}`` -> one entry with its input schema (RunComfy's ComfyUI nodes read
its price before they submit); ``GET /v1/models/categories`` -> ``{"categories": [...]}``.

An entry holds what the model file's ``catalog`` says (written by ``pull``) and its documented
input schema as written. A page-imported file has no catalog facts; derived ones stand in
(docs/serve.md): a display name from the model id, its task segment (``image-to-video``) or
medium as category, kind ``model`` and a local stand-in price of 0.05 USD per output (images) or
per second (video, audio).

A finished job's ``cost`` is that price times what was made (:func:`job_cost`), as RunComfy's
partner nodes expect it: they quote ``base_price_usd * duration`` before they submit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, unquote

from generator.schema.documented import CatalogInfo, DocumentedModel
from generator.schema.ir import ModelSpec
from generator.serve.catalog import Catalog, output_kind

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "STAND_IN_PRICE",
    "Reply",
    "answer",
    "catalog_entry",
    "handles",
    "job_cost",
]

_PREFIX = "/v1/models"
_CATEGORIES = _PREFIX + "/categories"
#: Entries per page when ``limit`` is not given, and the most one page holds (runcomfy-cli's
#: ``models list --limit`` takes 1 to 500, src/cli.rs).
DEFAULT_LIMIT, MAX_LIMIT = 20, 500
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")
_PRICE_UNITS = {"image": "output", "video": "second", "audio": "second"}
_DERIVED_NOTE = "local serve: the model file has no catalog price; a stand-in"
#: The price (USD per output or per second) of a model whose file has no catalog price.
STAND_IN_PRICE = 0.05


@dataclass(frozen=True)
class Reply:
    """200 with ``data``, or an error status with ``message`` (the server shapes the body)."""

    status: int
    data: Any = None
    message: str = ""


def handles(method: str, path: str) -> bool:
    """Whether this is a catalog route (every GET under /v1/models; POST there is submit)."""
    return method == "GET" and (path == _PREFIX or path.startswith(_PREFIX + "/"))


def _derived_info(spec: ModelSpec) -> CatalogInfo:
    segments = spec.model_id.split("/")
    words = " ".join(segments[1:]).replace("-", " ").split()
    display = " ".join(word if word == "to" else word[:1].upper() + word[1:] for word in words)
    medium = output_kind(spec)
    tasks = tuple(segment for segment in segments[1:] if "-to-" in segment)
    return CatalogInfo(
        display_name=display,
        categories=tasks or (medium,),
        kind="model",
        base_price_usd=STAND_IN_PRICE,
        price_unit=_PRICE_UNITS[medium],
        pricing_note=_DERIVED_NOTE,
    )


def catalog_entry(
    documented: DocumentedModel, spec: ModelSpec, *, include_schema: bool
) -> dict[str, Any]:
    info = documented.catalog or _derived_info(spec)
    entry: dict[str, Any] = {"model_id": documented.model_id, **info.to_json()}
    if include_schema:
        entry["input_schema"] = documented.input_schema
    return entry


def _seconds(value: Any) -> Decimal | None:
    """A duration as the input gives it (``5``, ``5.5``, ``"5"``); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return seconds if seconds.is_finite() and seconds > 0 else None


def job_cost(catalog: Catalog, model_id: str, payload: Mapping[str, Any]) -> float:
    """What a completed job of ``model_id`` made from ``payload`` costs: its catalog price per
    output (serve makes one), or per second of the ``duration`` asked for (else the schema's
    default, else one second). Decimal arithmetic: 0.57 * 5 is 2.85, not 2.8499999999999996."""
    entry = _entry(catalog, model_id, include_schema=False)
    price = entry["base_price_usd"]
    if price is None:
        return 0.0
    units = Decimal(1)
    if entry["price_unit"] == "second":
        default = next(
            (f.default for f in catalog.spec(model_id).fields if f.wire_key == "duration"), None
        )
        units = _seconds(payload.get("duration")) or _seconds(default) or Decimal(1)
    return float(Decimal(str(price)) * units)


def _entry(catalog: Catalog, model_id: str, *, include_schema: bool) -> dict[str, Any]:
    return catalog_entry(
        catalog.documented(model_id), catalog.spec(model_id), include_schema=include_schema
    )


def _number(query: dict[str, list[str]], name: str, default: int, least: int) -> int | str:
    """The integer parameter, or the error message."""
    values = query.get(name)
    if not values:
        return default
    text = values[-1].strip()
    if not text.isdigit() or int(text) < least:
        return f"{name} must be an integer >= {least}, not {values[-1]!r}"
    return int(text)


def _list(catalog: Catalog, raw_query: str) -> Reply:
    query = parse_qs(raw_query, keep_blank_values=True)
    limit = _number(query, "limit", DEFAULT_LIMIT, 1)
    offset = _number(query, "offset", 0, 0)
    if isinstance(limit, str) or isinstance(offset, str):
        return Reply(400, message=str(limit if isinstance(limit, str) else offset))
    flag = query.get("include_schema", ["false"])[-1].strip().lower()
    if flag not in _TRUE + _FALSE:
        return Reply(400, message=f"include_schema must be true or false, not {flag!r}")
    category = query.get("category", [""])[-1]
    kind = query.get("kind", [""])[-1]
    search = query.get("search", [""])[-1].strip().lower()
    found = []
    for model_id in sorted(catalog.models):
        entry = _entry(catalog, model_id, include_schema=flag in _TRUE)
        if category and category not in entry["categories"]:
            continue
        if kind and entry["kind"] != kind:
            continue
        name = (entry["display_name"] or "").lower()
        if search and search not in model_id.lower() and search not in name:
            continue
        found.append(entry)
    page = found[offset : offset + min(limit, MAX_LIMIT)]
    return Reply(200, {"models": page, "total": len(found)})


def answer(catalog: Catalog, path: str, raw_query: str) -> Reply:
    """The reply to ``GET path?raw_query`` (``handles`` said yes)."""
    if path == _PREFIX:
        return _list(catalog, raw_query)
    if path == _CATEGORIES:
        categories = set()
        for model_id in catalog.models:
            categories.update(_entry(catalog, model_id, include_schema=False)["categories"])
        return Reply(200, {"categories": sorted(categories)})
    model_id = unquote(path.removeprefix(_PREFIX + "/"))
    if model_id not in catalog:
        return Reply(404, message=f"unknown model {model_id!r}")
    return Reply(200, _entry(catalog, model_id, include_schema=True))
