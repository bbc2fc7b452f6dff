"""The server on the 120 real corpus schemas: every model served, outputs of the right medium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from generator.schema.normalize import normalize
from generator.serve import serve_in_thread
from generator.serve.catalog import output_kind
from tests.support.corpus import corpus_model

_EXTENSIONS = {"image": ".png", "video": ".mp4", "audio": ".wav"}


def test_output_kind_matches_the_catalog(corpus: list[dict[str, Any]]) -> None:
    wrong = [
        (entry["model_id"], entry["output_type"], kind)
        for entry in corpus
        if (kind := output_kind(normalize(corpus_model(entry)))) != entry["output_type"].lower()
    ]
    assert wrong == []


def _required_only_payload(spec_fields: Any, sample: dict[str, str]) -> dict[str, Any]:
    """A minimal valid body: every required field from its default, or a sample URL."""
    payload: dict[str, Any] = {}
    for field in spec_fields:
        if not field.required:
            continue
        if field.media is not None:
            url = sample[field.media.value]
            payload[field.wire_key] = [url] if field.is_array else url
        elif field.has_default:
            payload[field.wire_key] = field.default
        elif field.enum:
            payload[field.wire_key] = field.enum[0]
        elif field.json_type == "string":
            payload[field.wire_key] = "a test prompt"
    return payload


def test_server_runs_every_corpus_model(corpus: list[dict[str, Any]], corpus_schemas: Path) -> None:
    with (
        serve_in_thread(corpus_schemas, token="t") as server,
        httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer t"}) as client,
    ):
        sample = {
            "image": server.sample_url("image.png"),
            "video": server.sample_url("video.mp4"),
            "audio": server.sample_url("audio.wav"),
        }
        refused = []
        for entry in corpus:
            spec = normalize(corpus_model(entry))
            answer = client.post(
                f"/v1/models/{spec.model_id}", json=_required_only_payload(spec.fields, sample)
            )
            if answer.status_code != 200:
                refused.append((spec.model_id, answer.json()["detail"]))
                continue
            request_id = answer.json()["request_id"]
            for _ in range(3):
                result = client.get(f"/v1/requests/{request_id}/result").json()
            assert result["status"] == "completed"
            [(key, value)] = result["output"].items()
            url = value[0] if isinstance(value, list) else value
            kind = entry["output_type"].lower()
            assert key.rstrip("s") == kind and url.endswith(_EXTENSIONS[kind]), (spec.model_id, key)
        # Defaults, enum values and sample files make a valid body for every corpus model.
        assert refused == []
        assert server.jobs_created() == len(corpus)
