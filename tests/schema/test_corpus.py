"""Every real input schema of ../shared/corpus normalizes to valid JSON Schema with usable names."""

from __future__ import annotations

import keyword
from typing import Any

from jsonschema import Draft202012Validator

from generator.schema.names import is_good_name
from generator.schema.normalize import normalize
from tests.support.corpus import corpus_model


def test_corpus_normalizes(corpus: list[dict[str, Any]]) -> None:
    assert len(corpus) >= 120
    media_fields = 0
    for entry in corpus:
        spec = normalize(corpus_model(entry))
        Draft202012Validator.check_schema(spec.input_schema)
        names = [f.python_name for f in spec.fields]
        assert len(set(names)) == len(names), entry["model_id"]
        for name in names:
            assert name.isidentifier() and not keyword.iskeyword(name), name
            assert is_good_name(name) or name.endswith("_"), name
        assert set(spec.input_schema["properties"]) == set(entry["input_schema"]["properties"])
        media_fields += sum(f.media is not None for f in spec.fields)
        for field in spec.fields:
            assert "image_uri" not in str(field.schema) and "video_uris" not in str(field.schema)
    assert media_fields > 150
