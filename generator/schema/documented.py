"""The project's model files: ``schemas/<model_id>.json`` as written by ``import``.

A model file holds what one documentation page says of one model, verbatim:
``model_id``, ``endpoint``, ``source``, ``example``, ``input_schema`` and ``output_schema``.
Beside it, ``<model_id>.names.json`` may override Python names (``{"wire_key": "name"}``).

A model written or refreshed by ``pull`` also holds ``catalog`` (what RunComfy's model catalog
says besides the input schema: display name, categories, kind, price), and, when its output
schema was derived rather than documented, ``"output_schema_source": "derived"``
(docs/pull.md). Both are left out when absent, so page imports keep their exact bytes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.limits import MAX_MODEL_FILE_BYTES, MAX_NAMES_FILE_BYTES, MAX_NUMBER, read_bounded

__all__ = [
    "DERIVED",
    "NAMES_SUFFIX",
    "CatalogInfo",
    "DocumentedModel",
    "check_found_inside",
    "check_model_id",
    "discover_models",
    "dump_model_file",
    "load_model_file",
    "model_path",
    "parse_json",
]

NAMES_SUFFIX = ".names.json"
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_MIN_SEGMENTS, _MAX_SEGMENTS = 2, 6
_MAX_ID_CHARS = 200
#: ``output_schema_source`` of an output schema made by a rule, not read from documentation.
DERIVED = "derived"
_TEXT_FIELDS = ("kind", "price_unit", "pricing_note")


@dataclass(frozen=True)
class CatalogInfo:
    """What RunComfy's model catalog says of a model besides its input schema.

    The field names are the catalog's own (``GET /v1/models``), so ``serve`` answers them as
    they are and ``pull`` compares them key by key.
    """

    display_name: str | None = None
    categories: tuple[str, ...] = ()
    kind: str | None = None
    base_price_usd: float | None = None
    price_unit: str | None = None
    pricing_note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name,
            "categories": list(self.categories),
            "kind": self.kind,
            "base_price_usd": self.base_price_usd,
            "price_unit": self.price_unit,
            "pricing_note": self.pricing_note,
        }

    @classmethod
    def from_json(cls, data: Any, file: str, pointer: str) -> CatalogInfo:
        """Check the shape of a ``catalog`` object (a model file's or a catalog entry's)."""
        if not isinstance(data, dict):
            raise InputError(file, "must be an object", pointer)
        display_name = data.get("display_name")
        if display_name is not None and not isinstance(display_name, str):
            raise InputError(file, "must be a string or null", f"{pointer}/display_name")
        categories = data.get("categories")
        if categories is None:
            categories = []
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise InputError(file, "must be a list of strings", f"{pointer}/categories")
        price = data.get("base_price_usd")
        if price is not None and (
            isinstance(price, bool)
            or not isinstance(price, int | float)
            or price < 0
            # before isfinite, which overflows on an integer past float range (10**400)
            or price > MAX_NUMBER
            or not math.isfinite(price)
        ):
            raise InputError(
                file,
                f"must be a finite number >= 0 or null, not {price!r}",
                f"{pointer}/base_price_usd",
            )
        texts = {}
        for key in _TEXT_FIELDS:
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                raise InputError(file, "must be a string or null", f"{pointer}/{key}")
            texts[key] = value
        return cls(
            display_name=display_name,
            categories=tuple(categories),
            base_price_usd=price,
            **texts,
        )


_FIELDS = ("model_id", "endpoint", "source", "example", "input_schema", "output_schema")


@dataclass(frozen=True)
class DocumentedModel:
    model_id: str
    endpoint: str
    source: str
    example: dict[str, Any] | None
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    #: The model file this came from, as the user named it (for error messages).
    file: str = "<memory>"
    #: Python-name overrides: wire key -> Python name.
    names: tuple[tuple[str, str], ...] = ()
    #: What the model catalog says of it (``pull``); None for a page never pulled.
    catalog: CatalogInfo | None = None
    #: ``DERIVED`` when the output schema was made by a rule (catalog entries have none).
    output_schema_source: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {field: getattr(self, field) for field in _FIELDS}
        if self.catalog is None and self.output_schema_source is None:
            return data
        # Provenance sits after "source"; the derived mark right before what it describes.
        ordered: dict[str, Any] = {}
        for key, value in data.items():
            if key == "output_schema" and self.output_schema_source is not None:
                ordered["output_schema_source"] = self.output_schema_source
            ordered[key] = value
            if key == "source" and self.catalog is not None:
                ordered["catalog"] = self.catalog.to_json()
        return ordered


def check_model_id(model_id: str, file: str) -> list[str]:
    """Return the id's segments, or raise if it is not a safe, unambiguous model id.

    The one validator of model ids (``import`` and the catalog ``pull`` use it through
    :func:`model_path`): 2 to 6 segments of ASCII letters, digits, ``.``, ``_``, ``-``, none
    empty, none starting with ``.`` or ``-``; no look-alike characters (a Cyrillic ``\\u0430`` is
    not ``a``: refused, never cut off); the last segment never ends in ``.names`` (the model
    ``a/x.names`` would be the names file of ``a/x``).
    """
    if len(model_id) > _MAX_ID_CHARS:
        raise InputError(file, f"model id longer than {_MAX_ID_CHARS} characters")
    foreign = next(
        (char for char in model_id if not char.isascii() or not char.isprintable()), None
    )
    if foreign is not None:
        raise InputError(
            file,
            f"model id {model_id!r} holds the character {foreign!r} (U+{ord(foreign):04X}); "
            "model ids are ASCII, and look-alike characters are refused",
        )
    segments = model_id.split("/")
    if not _MIN_SEGMENTS <= len(segments) <= _MAX_SEGMENTS:
        raise InputError(
            file,
            f"model id {model_id!r} must have {_MIN_SEGMENTS} to {_MAX_SEGMENTS} segments",
        )
    for segment in segments:
        if segment in ("", ".", "..") or not _SEGMENT.fullmatch(segment):
            raise InputError(
                file,
                f"model id {model_id!r} has an unsafe segment {segment!r} "
                "(allowed: letters, digits, '.', '_', '-', not starting with '.' or '-')",
            )
    if (segments[-1] + ".json").lower().endswith(NAMES_SUFFIX):
        raise InputError(
            file,
            f"model id {model_id!r} ends in '.names': its file would be the names file of "
            f"{model_id.removesuffix(segments[-1][-6:])!r}",
        )
    return segments


def model_path(schemas_dir: Path, model_id: str, file: str) -> Path:
    """Where ``model_id``'s file lives under ``schemas_dir``; never outside it."""
    segments = check_model_id(model_id, file)
    path = schemas_dir.joinpath(*segments[:-1], segments[-1] + ".json")
    if not path.resolve().is_relative_to(schemas_dir.resolve()):
        raise InputError(file, f"model id {model_id!r} would escape {schemas_dir}")
    return path


def dump_model_file(model: DocumentedModel) -> str:
    """The exact bytes of a model file: stable key order, 2-space indent, UTF-8 kept."""
    return json.dumps(model.to_json(), indent=2, ensure_ascii=False) + "\n"


def parse_json(data: bytes, file: str) -> Any:
    """JSON from untrusted bytes: every failure (encoding, syntax, a number of 5,000 digits,
    nesting deep enough to exhaust the parser's stack) is one InputError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(file, f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            file, f"not valid JSON (line {exc.lineno} column {exc.colno}): {exc.msg}"
        ) from None
    except RecursionError:
        raise InputError(file, "JSON nested too deeply to read") from None
    except ValueError as exc:  # int() of a number with too many digits
        raise InputError(file, f"not usable JSON: {exc}") from None


def _load_json(path: Path, file: str, limit: int) -> Any:
    data = read_bounded(path, limit, "a JSON file")
    return parse_json(data, file)


def _load_names(path: Path) -> tuple[tuple[str, str], ...]:
    names_path = path.with_name(path.name[: -len(".json")] + NAMES_SUFFIX)
    if not names_path.exists():
        return ()
    data = _load_json(names_path, str(names_path), MAX_NAMES_FILE_BYTES)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InputError(str(names_path), "must be an object of wire key -> Python name strings")
    return tuple(sorted(data.items()))


def load_model_file(path: Path) -> DocumentedModel:
    file = str(path)
    data = _load_json(path, file, MAX_MODEL_FILE_BYTES)
    if not isinstance(data, dict):
        raise InputError(file, "a model file must hold a JSON object", "")
    for field, kind in (
        ("model_id", str),
        ("endpoint", str),
        ("input_schema", dict),
        ("output_schema", dict),
    ):
        if not isinstance(data.get(field), kind):
            raise InputError(file, f"missing or not a {kind.__name__}", f"/{field}")
    example = data.get("example")
    if example is not None and not isinstance(example, dict):
        raise InputError(file, "the example request must be an object or null", "/example")
    check_model_id(data["model_id"], file)
    catalog = data.get("catalog")
    output_schema_source = data.get("output_schema_source")
    if output_schema_source not in (None, DERIVED):
        raise InputError(
            file, f"must be {DERIVED!r} or absent (documented)", "/output_schema_source"
        )
    return DocumentedModel(
        model_id=data["model_id"],
        endpoint=data["endpoint"],
        source=str(data.get("source", "")),
        example=example,
        input_schema=data["input_schema"],
        output_schema=data["output_schema"],
        file=file,
        names=_load_names(path),
        catalog=None if catalog is None else CatalogInfo.from_json(catalog, file, "/catalog"),
        output_schema_source=output_schema_source,
    )


def discover_models(schemas_dir: Path) -> Iterator[Path]:
    """Every model file under ``schemas_dir``, in a stable order.

    A file found here was named by the folder's content, not by the user: a model or names
    file that is a symlink leading out of the folder (``-> ~/.config/x.json``, ``-> /dev/stdin``)
    is refused, never read. Links that stay inside the folder are followed.
    """
    for path in sorted(schemas_dir.rglob("*.json")):
        check_found_inside(path, schemas_dir, "model and names files")
        if not path.name.endswith(NAMES_SUFFIX):
            yield path


def check_found_inside(path: Path, folder: Path, what: str) -> None:
    """Refuse ``path``, found by walking ``folder``, when it (or a folder on the way) is a
    symlink leading out of ``folder``: what a folder holds never decides what else is read."""
    if not path.resolve().is_relative_to(folder.resolve()):
        raise InputError(
            str(path),
            f"a symlink to {str(path.resolve())!r}, outside {str(folder)!r}; {what} are read "
            "from that folder only",
        )
