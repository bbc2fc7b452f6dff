"""Every example request the docs show passes its model's input schema (formats checked)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from generator.errors import InputError
from generator.render.examples import example_payload
from generator.schema.documented import discover_models, load_model_file
from generator.schema.ir import ModelSpec
from generator.schema.normalize import normalize
from tests.support.corpus import corpus_model, documented_model
from tests.support.paths import ROOT

BUNDLED = sorted(discover_models(ROOT / "schemas"))


def assert_validates(spec: ModelSpec, payload: dict[str, Any]) -> None:
    validator = Draft202012Validator(spec.input_schema, format_checker=FormatChecker())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(payload)]
    assert not errors, f"{spec.model_id}: {errors}"


def spec_of(input_schema: dict[str, Any], example: dict[str, Any] | None = None) -> ModelSpec:
    return normalize(documented_model(input_schema, example=example))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(Path(p).relative_to(ROOT)))
def test_bundled_example_validates(path: Path) -> None:
    spec = normalize(load_model_file(path))
    assert_validates(spec, example_payload(spec))


def test_bundled_valid_page_example_is_used_verbatim() -> None:
    spec = normalize(
        load_model_file(ROOT / "schemas/bytedance/dreamina-3-0/pro/image-to-video.json")
    )
    assert spec.example is not None
    assert example_payload(spec) == spec.example


def test_invalid_page_example_is_repaired_keeping_its_valid_values() -> None:
    # Seed 000 documents bare file names where URLs are required.
    spec = normalize(
        load_model_file(ROOT / "schemas/community/fantasy-portrait/image-to-video.json")
    )
    payload = example_payload(spec)
    assert payload == {
        "155_positive_prompt": "woman acting",
        "160_video": "https://example.com/input.mp4",
        "143_image": "https://example.com/input.png",
    }


def test_every_corpus_example_validates(corpus: list[dict[str, Any]]) -> None:
    media_values = 0
    for entry in corpus:
        spec = normalize(corpus_model(entry))
        payload = example_payload(spec)
        assert_validates(spec, payload)
        assert set(payload) == {f.wire_key for f in spec.fields if f.required}, spec.model_id
        for field in spec.fields:
            if field.media is not None and field.wire_key in payload:
                values = payload[field.wire_key]
                values = values if isinstance(values, list) else [values]
                extension = {"image": ".png", "video": ".mp4", "audio": ".mp3"}[field.media]
                assert all(v.endswith(extension) for v in values), (spec.model_id, values)
                media_values += 1
    assert media_values > 50


def test_built_values_follow_defaults_enums_and_bounds() -> None:
    spec = spec_of(
        {
            "type": "object",
            "required": ["prompt", "size", "steps", "scale", "flag", "refs", "mode", "clip"],
            "properties": {
                "prompt": {"type": "string", "default": ""},
                "size": {"type": "string", "enum": ["1024x1024", "512x512"]},
                "steps": {"type": "integer", "minimum": 4, "maximum": 50},
                "scale": {"type": "float", "exclusiveMinimum": 1.5},
                "flag": {"type": "boolean"},
                "refs": {"type": "array", "format": "image_uris", "minItems": 2},
                "mode": {"type": "string", "default": "fast"},
                "clip": {"type": "string", "format": "audio_uri"},
                "optional": {"type": "integer", "default": 3},
            },
        }
    )
    payload = example_payload(spec)
    assert payload == {
        "prompt": "example prompt",
        "size": "1024x1024",
        "steps": 4,
        "scale": 2.0,
        "flag": False,
        "refs": ["https://example.com/input-1.png", "https://example.com/input-2.png"],
        "mode": "fast",
        "clip": "https://example.com/input.mp3",
    }
    assert_validates(spec, payload)


def test_text_respects_length_bounds() -> None:
    spec = spec_of(
        {
            "type": "object",
            "required": ["short", "long"],
            "properties": {
                "short": {"type": "string", "maxLength": 3},
                "long": {"type": "string", "minLength": 30},
            },
        }
    )
    payload = example_payload(spec)
    assert payload["short"] == "exa"
    assert len(payload["long"]) == 30
    assert_validates(spec, payload)


def test_unbuildable_value_names_file_and_pointer() -> None:
    spec = spec_of(
        {
            "type": "object",
            "required": ["code"],
            "properties": {"code": {"type": "string", "pattern": "^[0-9]{4}$"}},
        }
    )
    with pytest.raises(InputError) as caught:
        example_payload(spec)
    assert str(caught.value).startswith("test.json#/input_schema/properties/code: ")
