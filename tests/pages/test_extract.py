from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.pages.extract import extract_page

EXPECTED_IDS = {
    "000": "community/fantasy-portrait/image-to-video",
    "001": "runwayml/runway-aleph/video-to-video",
    "002": "bytedance/dreamina-3-0/pro/image-to-video",
    "003": "community/fantasy-portrait/image-to-video",
    "004": "happyhorse/happyhorse-1.0/image-to-video",
}

SCHEMA = {"type": "object", "properties": {"prompt": {"type": "string"}}}
OUTPUT = {"output": {"type": "object", "properties": {"image": {"type": "string"}}}}


def page(
    *,
    url: str = "https://model-api.runcomfy.net/v1/models/a/b/c",
    body: str = "{}",
    schema: str | None = None,
    output: str | None = None,
) -> str:
    schema = json.dumps(SCHEMA) if schema is None else schema
    output = json.dumps(OUTPUT) if output is None else output
    return f"Texte libre. curl --url {url} --data '{body}'Prosa{schema}{output}Fin."


def test_every_seed_yields_its_model(seed_pages: list[Path]) -> None:
    assert len(seed_pages) == 5
    for path in seed_pages:
        extracted = extract_page(path.read_text(encoding="utf-8"), path.name)
        assert extracted.model_id == EXPECTED_IDS[path.name[:3]]
        assert extracted.endpoint.endswith("/v1/models/" + extracted.model_id)
        assert extracted.input_schema["type"] == "object"
        assert set(extracted.output_schema) == {"output"}
        assert extracted.example is not None


def test_flattened_and_formatted_pages_of_one_model_agree(seed_pages: list[Path]) -> None:
    by_name = {p.name[:3]: p for p in seed_pages}
    flat = extract_page(by_name["000"].read_text(encoding="utf-8"), "000")
    formatted = extract_page(by_name["003"].read_text(encoding="utf-8"), "003")
    strip = {k: v for k, v in flat.input_schema.items() if k != "title"}
    assert strip == {k: v for k, v in formatted.input_schema.items() if k != "title"}
    assert flat.example == formatted.example


def test_flattened_json_run_together() -> None:
    extracted = extract_page(page(body='{"prompt": "a {b} c"}'), "p.txt")
    assert extracted.model_id == "a/b/c"
    assert extracted.example == {"prompt": "a {b} c"}
    assert extracted.input_schema == SCHEMA


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (page(url="https://example.com/other"), "no model endpoint"),
        (page(schema=""), "no input schema"),
        (page(output=""), "no output schema"),
        (
            page(schema='{"type": "object", "properties": {"a": {"type": "string"}'),
            "input schema is not valid JSON",
        ),
        (page(body='{"prompt": '), "example request body is not valid JSON"),
        (page() + " https://x/v1/models/other/model/x", "more than one model endpoint"),
    ],
)
def test_malformed_pages_name_file_and_problem(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        extract_page(text, "bad-page.txt")
    assert str(caught.value).startswith("bad-page.txt")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
