"""Find the model id, example request and schemas in a saved RunComfy documentation page.

Pages come in any language and in two layouts: formatted (headings, indented JSON) and
flattened (JSON, curl and prose run together with no line breaks). So nothing here reads the
prose or the headings: the endpoint URL, the curl ``--data`` body and the JSON objects in the
text carry everything.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from generator.errors import InputError

__all__ = ["ExtractedPage", "extract_page"]

_DECODER = json.JSONDecoder()
# The id stops at white space and quotes; then at the first non-ASCII punctuation mark or
# symbol (flattened pages run URLs straight into prose: "...image-to-video。"). Any other
# non-ASCII character stays in the id, so that ``check_model_id`` refuses a look-alike
# ("im\u0430ge" with a Cyrillic "a") instead of cutting it to another model's id.
_ENDPOINT = re.compile(r"https?://[!-~]+?/v1/models/([^\s\"'<>\\]+)")
_TRAILING = ".,;:)]}"
_DATA_FLAG = re.compile(r"--data(?:-raw|-binary)?\s+'")
# Where a schema starts, so that a broken one is reported as broken rather than as missing.
_INPUT_START = re.compile(r'\{\s*"(?:type|title|required|properties|\$schema)"\s*:')
_OUTPUT_START = re.compile(r'\{\s*"output"\s*:')


@dataclass(frozen=True)
class ExtractedPage:
    model_id: str
    endpoint: str
    example: dict[str, Any] | None
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line} column {col}"


def _cut_at_prose(text: str) -> str:
    for index, char in enumerate(text):
        if not char.isascii() and unicodedata.category(char)[0] in "PSZ":
            return text[:index]
    return text


def _endpoint(text: str, file: str) -> tuple[str, str]:
    found = set()
    for match in _ENDPOINT.finditer(text):
        model_id = _cut_at_prose(match.group(1)).rstrip(_TRAILING)
        url = match.group(0)[: match.start(1) - match.start(0)] + model_id
        found.add((url, model_id))
    if not found:
        raise InputError(file, "no model endpoint (https://.../v1/models/<model_id>) on the page")
    if len({model_id for _, model_id in found}) > 1:
        ids = ", ".join(sorted(repr(model_id) for _, model_id in found))
        raise InputError(file, f"the page names more than one model endpoint: {ids}")
    return min(found)


def _decode(text: str, pos: int, file: str) -> tuple[Any, int]:
    """The JSON value at ``pos``; valid JSON that Python cannot hold (nested past its stack, an
    integer of 4,300+ digits) is an InputError at its line and column, not an internal error."""
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise InputError(
            file, f"JSON at {_line_col(text, pos)} is nested too deeply to read"
        ) from None
    except ValueError:  # int() of a number with too many digits
        raise InputError(
            file, f"JSON at {_line_col(text, pos)} holds a number with too many digits"
        ) from None


def _examples(text: str, file: str) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """Decode every curl ``--data '...'`` body; return them with the spans they cover."""
    bodies: list[dict[str, Any]] = []
    spans: list[tuple[int, int]] = []
    for match in _DATA_FLAG.finditer(text):
        start = match.end()
        while start < len(text) and text[start].isspace():
            start += 1
        try:
            body, end = _decode(text, start, file)
        except json.JSONDecodeError as exc:
            where = _line_col(text, exc.pos)
            raise InputError(
                file, f"example request body is not valid JSON ({where}): {exc.msg}"
            ) from None
        if not isinstance(body, dict):
            raise InputError(
                file, f"example request body at {_line_col(text, start)} is not an object"
            )
        bodies.append(body)
        spans.append((start, end))
    return bodies, spans


def _top_level_objects(
    text: str, file: str, skip: list[tuple[int, int]]
) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, json.JSONDecodeError]]]:
    """Every JSON object in the text that is not inside another one or in a skipped span."""
    objects: list[tuple[int, dict[str, Any]]] = []
    failures: list[tuple[int, json.JSONDecodeError]] = []
    pos = text.find("{")
    while pos != -1:
        inside = next((end for start, end in skip if start <= pos < end), None)
        if inside is not None:
            pos = text.find("{", inside)
            continue
        try:
            value, end = _decode(text, pos, file)
        except json.JSONDecodeError as exc:
            failures.append((pos, exc))
            pos = text.find("{", pos + 1)
            continue
        if isinstance(value, dict):
            objects.append((pos, value))
        pos = text.find("{", end)
    return objects, failures


def _is_input_schema(value: dict[str, Any]) -> bool:
    return isinstance(value.get("properties"), dict) and "output" not in value


def _is_output_schema(value: dict[str, Any]) -> bool:
    return list(value) == ["output"] and isinstance(value["output"], dict)


def _pick(
    text: str,
    file: str,
    what: str,
    objects: list[tuple[int, dict[str, Any]]],
    failures: list[tuple[int, json.JSONDecodeError]],
    start_pattern: re.Pattern[str],
    accept: Any,
) -> dict[str, Any]:
    found = [value for _, value in objects if accept(value)]
    distinct = {json.dumps(v, sort_keys=True) for v in found}
    if len(distinct) > 1:
        raise InputError(file, f"the page holds {len(distinct)} different {what}s")
    if found:
        return found[0]
    for pos, exc in failures:
        if start_pattern.match(text, pos):
            where = _line_col(text, exc.pos)
            raise InputError(file, f"{what} is not valid JSON ({where}): {exc.msg}")
    raise InputError(file, f"no {what} on the page")


def extract_page(text: str, file: str) -> ExtractedPage:
    """Extract what a page documents; raise :class:`InputError` naming ``file`` otherwise."""
    endpoint, model_id = _endpoint(text, file)
    examples, spans = _examples(text, file)
    if len({json.dumps(e, sort_keys=True) for e in examples}) > 1:
        raise InputError(file, "the page shows different example request bodies")
    objects, failures = _top_level_objects(text, file, spans)
    input_schema = _pick(
        text, file, "input schema", objects, failures, _INPUT_START, _is_input_schema
    )
    output_schema = _pick(
        text, file, "output schema", objects, failures, _OUTPUT_START, _is_output_schema
    )
    return ExtractedPage(
        model_id=model_id,
        endpoint=endpoint,
        example=examples[0] if examples else None,
        input_schema=input_schema,
        output_schema=output_schema,
    )
