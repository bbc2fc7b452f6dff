"""``runcomfy-codegen normalize``: what generate writes, warnings on stderr, bad input refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.paths import ROOT

SEED_MODELS = sorted(
    p.relative_to(ROOT / "schemas").with_suffix("").as_posix()
    for p in (ROOT / "schemas").rglob("*.json")
    if not p.name.endswith(".names.json")
)


def _model_file(model_id: str) -> str:
    return str(ROOT / "schemas" / f"{model_id}.json")


def test_the_seed_models_are_all_here() -> None:
    assert len(SEED_MODELS) == 4


@pytest.mark.parametrize("model_id", SEED_MODELS)
@pytest.mark.parametrize("part", ["input", "output"])
def test_prints_the_schema_generate_writes(model_id: str, part: str) -> None:
    args = ["normalize", _model_file(model_id)] + (["--part", part] if part == "output" else [])
    code, out, _ = run(*args)
    assert code == 0
    written = ROOT / "generated" / "schemas" / model_id / f"{part}.schema.json"
    assert out == written.read_text("utf-8")  # byte for byte
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_ir_is_the_typed_intermediate_form() -> None:
    model_id = "runwayml/runway-aleph/video-to-video"
    code, out, _ = run("normalize", "--ir", _model_file(model_id))
    assert code == 0
    ir = json.loads(out)
    assert ir["model_id"] == model_id
    assert ir["endpoint"].endswith(f"/v1/models/{model_id}")
    video = next(f for f in ir["fields"] if f["wire_key"] == "video_url")
    assert (video["required"], video["media"], video["pointer"]) == (
        True,
        "video",
        "/input_schema/properties/video_url",
    )
    assert video["rules"][0]["metric"] == "file_size_mb"


def test_findings_that_do_not_stop_normalization_are_warnings_on_stderr() -> None:
    file = _model_file("community/fantasy-portrait/image-to-video")
    code, out, err = run("normalize", file)
    assert code == 0
    json.loads(out)  # stdout stays pure JSON
    lines = err.splitlines()
    assert (
        f"warning: {file}#/input_schema/properties/143_image/default: the default fails the "
        "schema: 'Runcomfy_example_1268_1.png' is not a 'uri' [default-invalid]"
    ) in lines
    assert all(line.startswith(f"warning: {file}#/") for line in lines)
    assert {line.rsplit("[", 1)[1] for line in lines} == {"default-invalid]", "example-invalid]"}


def test_a_clean_model_prints_no_warnings() -> None:
    code, _, err = run("normalize", _model_file("happyhorse/happyhorse-1.0/image-to-video"))
    assert (code, err) == (0, "")


def test_a_broken_schema_is_one_line_naming_file_and_pointer(tmp_path: Path) -> None:
    model = json.loads(Path(_model_file("runwayml/runway-aleph/video-to-video")).read_text("utf-8"))
    model["input_schema"]["properties"]["prompt"]["type"] = "tensor"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(model), encoding="utf-8")
    code, out, err = run("normalize", str(broken))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {broken}#/input_schema/properties/prompt/type: ")
    assert "'tensor'" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [("{", "not valid JSON"), ("[]", ""), ('{"model_id": "a/b"}', "")],
)
def test_unreadable_model_files_exit_two(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run("normalize", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {path}") and expected in err and err.count("\n") == 1


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    assert run("normalize", str(tmp_path / "missing.json"))[0] == 2
    assert run("normalize", "--part", "both", _model_file(SEED_MODELS[0]))[0] == 2
