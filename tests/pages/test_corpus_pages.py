"""Pages of other models: every corpus model, laid out as each seed page is, imports exactly.

The seed pages are five real documentation pages (Japanese, German, English; flattened or
indented JSON). Each corpus model is put into one seed's layout (its model id in the prose and
the curl commands, its schema where the seed's schema stands, an example of its defaults where
the seed's request bodies stand; the layouts take turns), and the page must give back the
corpus schema unchanged. So import is tested on 120 real schemas, not only the five seeds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.pages.extract import extract_page

_DECODER = json.JSONDecoder()
_MODEL_ID = re.compile(r"/v1/models/([\w./-]+?)(?=[\s\"'\\]|$)")


def _objects(text: str) -> list[tuple[int, int, Any]]:
    """``(start, end, value)`` of every top-level JSON object in the page."""
    found, at = [], 0
    while (start := text.find("{", at)) >= 0:
        try:
            value, end = _DECODER.raw_decode(text, start)
        except ValueError:
            at = start + 1
            continue
        found.append((start, end, value))
        at = end
    return found


def _layout_page(seed: str, schema: dict[str, Any], model_id: str) -> str:
    match = _MODEL_ID.search(seed)
    assert match is not None
    pieces, last = [], 0
    for start, end, value in _objects(seed):
        indent = 2 if '\n  "' in seed[start:end] else 0
        pieces.append(seed[last:start])
        if isinstance(value, dict) and "output" in value:
            pieces.append(seed[start:end])  # the output schema is the same for every model
        elif isinstance(value, dict) and "properties" in value:
            pieces.append(json.dumps(schema, indent=indent, ensure_ascii=False))
        else:  # a request body
            defaults = {
                key: prop["default"]
                for key, prop in schema.get("properties", {}).items()
                if prop.get("default") is not None
            }
            pieces.append(json.dumps(defaults, indent=indent, ensure_ascii=False))
        last = end
    pieces.append(seed[last:])
    return "".join(pieces).replace(match.group(1), model_id)


def test_every_corpus_model_in_a_seed_layout_imports_exactly(
    seed_pages: list[Path], corpus: list[dict[str, Any]]
) -> None:
    seeds = [path.read_text("utf-8") for path in seed_pages]
    assert len(seeds) >= 5
    for number, entry in enumerate(corpus):
        page = _layout_page(seeds[number % len(seeds)], entry["input_schema"], entry["model_id"])
        extracted = extract_page(page, f"corpus-page-{number}.txt")
        assert extracted.model_id == entry["model_id"]
        assert extracted.input_schema == entry["input_schema"], entry["model_id"]
        assert extracted.endpoint.endswith("/v1/models/" + entry["model_id"])


@pytest.mark.parametrize("layout", range(5))
def test_one_model_in_every_layout_imports_exactly(
    seed_pages: list[Path], corpus: list[dict[str, Any]], layout: int
) -> None:
    entry = max(corpus, key=lambda e: len(json.dumps(e["input_schema"])))  # the largest schema
    page = _layout_page(
        seed_pages[layout].read_text("utf-8"), entry["input_schema"], entry["model_id"]
    )
    assert extract_page(page, "largest.txt").input_schema == entry["input_schema"]
