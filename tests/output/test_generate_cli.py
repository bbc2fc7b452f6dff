"""``runcomfy-codegen generate``: writes, checks (--check), refuses bad input, takes --templates."""

from __future__ import annotations

import json
import shutil
from importlib.metadata import version
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
SEED = "runwayml/runway-aleph/video-to-video"


def _schemas(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, target)
    return target


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_generate_then_check_is_clean(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    code, stdout, _ = _run("generate", "--schemas", str(SCHEMAS), "--out", str(out))
    assert code == 0, stdout
    assert (out / "schemas" / SEED / "input.schema.json").is_file()
    assert (out / "python/runcomfy_models/models/runwayml_runway_aleph_video_to_video.py").is_file()
    code, stdout, _ = _run("generate", "--schemas", str(SCHEMAS), "--out", str(out), "--check")
    assert code == 0
    assert "up to date" in stdout


def test_check_reports_drift_as_diff_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    schemas = _schemas(tmp_path)
    _run("generate", "--schemas", str(schemas), "--out", str(out))
    model_file = schemas / (SEED + ".json")
    model = json.loads(model_file.read_text())
    model["input_schema"]["properties"]["prompt"]["maxLength"] = 999
    model_file.write_text(json.dumps(model))
    (schemas / "happyhorse").joinpath("happyhorse-1.0/image-to-video.json").unlink()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    code, stdout, stderr = _run("generate", "--schemas", str(schemas), "--out", str(out), "--check")

    assert code == 1
    assert f"+++ b/schemas/{SEED}/input.schema.json" in stdout
    assert '+      "maxLength": 999' in stdout
    assert "--- a/schemas/happyhorse/happyhorse-1.0/image-to-video/input.schema.json" in stdout
    assert "out of date" in stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before

    code, _, _ = _run("generate", "--schemas", str(schemas), "--out", str(out))
    assert code == 0
    assert not (out / "schemas/happyhorse").exists()
    assert not (
        out / "python/runcomfy_models/models/happyhorse_happyhorse_1_0_image_to_video.py"
    ).exists()


def test_bad_schema_exits_2_and_leaves_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    schemas = _schemas(tmp_path)
    _run("generate", "--schemas", str(schemas), "--out", str(out))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    model_file = schemas / (SEED + ".json")
    model = json.loads(model_file.read_text())
    model["input_schema"]["properties"]["prompt"]["type"] = "tensor"
    model_file.write_text(json.dumps(model))

    code, _, stderr = _run("generate", "--schemas", str(schemas), "--out", str(out))

    assert code == 2
    assert stderr.startswith("error: ")
    assert "#/input_schema/properties/prompt/type" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_templates_override_by_relative_path(tmp_path: Path) -> None:
    override = tmp_path / "templates" / "python"
    override.mkdir(parents=True)
    (override / "README.md.jinja").write_text("# my package ({{ models|length }} models)\n")
    out = tmp_path / "generated"
    code, _, _ = _run(
        "generate", "--schemas", str(SCHEMAS), "--out", str(out),
        "--templates", str(tmp_path / "templates"),
    )  # fmt: skip
    assert code == 0
    assert (out / "python/README.md").read_text() == "# my package (4 models)\n"
    # Templates that are not overridden still come from the bundle.
    assert (out / "python/runcomfy_models/_runtime/_types.py").is_file()


def test_missing_schemas_folder_is_an_input_error(tmp_path: Path) -> None:
    code, _, stderr = _run("generate", "--schemas", str(tmp_path / "nope"), "--out", str(tmp_path))
    assert code == 2
    assert "nope" in stderr


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_jobs_flag_renders_in_processes_and_gives_the_same_bytes(tmp_path: Path) -> None:
    """-j/--jobs N (docs/generate.md): 8 models to render use the pool; the output is the same."""
    schemas = tmp_path / "schemas"
    seed = json.loads((SCHEMAS / f"{SEED}.json").read_text("utf-8"))
    for n in range(8):
        model_id = f"acme/model-{n}/video-to-video"
        model = {**seed, "model_id": model_id, "endpoint": seed["endpoint"].replace(SEED, model_id)}
        (schemas / model_id).parent.mkdir(parents=True)
        (schemas / f"{model_id}.json").write_text(json.dumps(model, indent=2), "utf-8")
    outs = []
    for jobs in (["-j", "1"], ["--jobs", "2"]):
        out = tmp_path / jobs[0].strip("-")
        code, _, stderr = _run(
            "-v", "generate", "--schemas", str(schemas), "--out", str(out), "--no-cache", *jobs
        )
        assert code == 0, stderr
        assert "(8 rendered, 0 from the cache)" in stderr
        outs.append(_tree(out))
    assert outs[0] == outs[1]
    code, _, stderr = _run(
        "generate", "--schemas", str(schemas), "--out", str(tmp_path / "z"), "-j", "0"
    )
    assert code == 2 and stderr.startswith("error: ") and "--jobs" in stderr
    assert not (tmp_path / "z").exists()


def test_version_and_verbose_long_forms(tmp_path: Path) -> None:
    code, stdout, _ = _run("--version")
    assert code == 0 and stdout.endswith(f", version {version('runcomfy-codegen')}\n")
    out = tmp_path / "generated"
    code, _, stderr = _run("generate", "--verbose", "--schemas", str(SCHEMAS), "--out", str(out))
    assert code == 0 and "files from 4 models (4 rendered, 0 from the cache)" in stderr
