from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run

SCHEMA = {"type": "object", "properties": {"prompt": {"type": "string"}}}
OUTPUT = {"output": {"type": "object", "properties": {"image": {"type": "string"}}}}


def write_page(tmp_path: Path, model_id: str, schema: object = SCHEMA, name: str = "p.txt") -> Path:
    text = (
        f"curl --url https://model-api.runcomfy.net/v1/models/{model_id} --data '{{}}'"
        f"{json.dumps(schema)}{json.dumps(OUTPUT)}"
    )
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_all_seeds(tmp_path: Path, seed_pages: list[Path]) -> None:
    out = tmp_path / "schemas"
    code, stdout, _ = run("import", *map(str, seed_pages), "--schemas-dir", str(out))
    assert code == 0, stdout
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert files == [
        "bytedance/dreamina-3-0/pro/image-to-video.json",
        "community/fantasy-portrait/image-to-video.json",
        "happyhorse/happyhorse-1.0/image-to-video.json",
        "runwayml/runway-aleph/video-to-video.json",
    ]
    stored = json.loads((out / files[0]).read_text(encoding="utf-8"))
    assert list(stored) == [
        "model_id",
        "endpoint",
        "source",
        "example",
        "input_schema",
        "output_schema",
    ]
    assert stored["source"] == "002_40d88cd10260e4cc.txt"
    # Verbatim: the documented quirks are still there.
    rules = stored["input_schema"]["properties"]["image_urls"]["validations"]
    assert rules[0]["validation_rule"] == "file_size_mb<"
    # Seed 003 documents the same model as 000, in German: the one-line summary says so.
    assert "changed: community/fantasy-portrait/image-to-video" in stdout


def test_reimport_says_unchanged(tmp_path: Path, seed_pages: list[Path]) -> None:
    out = tmp_path / "s"
    run("import", str(seed_pages[1]), "--schemas-dir", str(out))
    code, stdout, _ = run("import", str(seed_pages[1]), "--schemas-dir", str(out))
    assert code == 0
    assert stdout.startswith("unchanged: runwayml/runway-aleph/video-to-video")
    assert len(stdout.strip().splitlines()) == 1


def test_changed_schema_is_summarized_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "s"
    run("import", str(write_page(tmp_path, "a/b/c")), "--schemas-dir", str(out))
    changed = {"type": "object", "properties": {"prompt": {"type": "string", "maxLength": 5}}}
    code, stdout, _ = run(
        "import", str(write_page(tmp_path, "a/b/c", changed, "q.txt")), "--schemas-dir", str(out)
    )
    assert code == 0
    assert stdout.strip() == (
        f"changed: a/b/c -> {out}/a/b/c.json (from q.txt): "
        "1 added (/input_schema/properties/prompt/maxLength)"
    )


@pytest.mark.parametrize("model_id", ["a/../b/c", "a//b", "../../etc/passwd", "a/b/.hidden"])
def test_escaping_model_ids_write_nothing(tmp_path: Path, model_id: str) -> None:
    out = tmp_path / "schemas"
    good = write_page(tmp_path, "ok/model/x", name="good.txt")
    bad = write_page(tmp_path, model_id, name="bad.txt")
    code, _, stderr = run("import", str(good), str(bad), "--schemas-dir", str(out))
    assert code == 2
    assert stderr.startswith(f"error: {bad}: model id")
    assert len(stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_broken_page_leaves_existing_files_untouched(tmp_path: Path) -> None:
    out = tmp_path / "s"
    run("import", str(write_page(tmp_path, "a/b/c")), "--schemas-dir", str(out))
    before = (out / "a/b/c.json").read_bytes()
    broken = tmp_path / "broken.txt"
    broken.write_text(
        'curl --url https://h/v1/models/a/b/c --data \'{}\' {"type": "object", "properties": {',
        encoding="utf-8",
    )
    code, _, stderr = run("import", str(broken), "--schemas-dir", str(out))
    assert code == 2
    assert "input schema is not valid JSON" in stderr
    assert "Traceback" not in stderr
    assert (out / "a/b/c.json").read_bytes() == before


def test_missing_page_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run("import", str(tmp_path / "nope.txt"))
    assert code == 2
    assert "nope.txt" in stderr
