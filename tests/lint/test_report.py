"""lint on the real seeds (snapshot), its three formats, SARIF validity and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator, FormatChecker

from generator.cli import cli
from generator.lint import lint_paths
from generator.lint.locate import pointer_line
from tests.support.paths import ROOT
from tests.support.snapshots import check_snapshot

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8")
)


def run(*args: str) -> tuple[int, str, str]:
    # --isolated: these tests are about every finding, not this repository's chosen ignores.
    result = CliRunner().invoke(cli, ["--isolated", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _portable(document: dict[str, Any]) -> dict[str, Any]:
    """Snapshots must not depend on where ../shared is or on the tool's version."""
    document["tool"]["version"] = "<version>"
    document["files"] = [Path(f).name for f in document["files"]]
    for f in document["findings"]:
        f["file"] = Path(f["file"]).name
    return document


def test_seed_pages_findings_snapshot(seed_pages: list[Path]) -> None:
    code, out, _ = run("lint", "--format", "json", "--fail-on", "info", *map(str, seed_pages))
    assert code == 1
    document = _portable(json.loads(out))
    check_snapshot("lint/seeds.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    found = {(f["file"][:3], f["code"], f["pointer"]) for f in document["findings"]}
    # The named findings are among them.
    assert (
        "002",
        "RC401",
        "/input_schema/properties/image_urls/validations/3/validation_error",
    ) in found
    assert ("000", "RC302", "/input_schema/properties/143_image/default") in found
    assert ("000", "RC101", "/input_schema/properties/150_strength/type") in found


def test_bundled_schemas_text_snapshot() -> None:
    code, out, _ = run("lint", str(ROOT / "schemas"), "--fail-on", "info")
    assert code == 1
    check_snapshot("lint/schemas.txt", out.replace(str(ROOT) + "/", ""))
    assert out.endswith("3 errors, 4 warnings, 2 infos in 4 files\n")


def test_text_lines_point_at_the_json_line() -> None:
    path = ROOT / "schemas/community/fantasy-portrait/image-to-video.json"
    report = lint_paths([path])
    text = path.read_text("utf-8")
    lines = text.splitlines()
    for f in report.findings:
        assert f.line is not None
        key = f.pointer.rsplit("/", 1)[-1]
        assert f'"{key}"' in lines[f.line - 1], (f, lines[f.line - 1])


def test_pointer_line_handles_escapes_and_arrays() -> None:
    text = '{\n "a/b": {\n  "x": [\n   1,\n   {"~": 2}\n  ]\n }\n}'
    assert pointer_line(text, "/a~1b/x/1/~0") == 5
    assert pointer_line(text, "/a~1b/x/0") == 4
    assert pointer_line(text, "/a~1b/y") is None
    assert pointer_line(text, "/a~1b/x/7") is None


@pytest.mark.parametrize(
    "paths", [["schemas"], ["schemas/runwayml/runway-aleph/video-to-video.json"]]
)
def test_sarif_validates_against_the_oasis_schema(paths: list[str], seed_pages: list[Path]) -> None:
    code, out, _ = run("lint", "--format", "sarif", *[str(ROOT / p) for p in paths],
                       *map(str, seed_pages))  # fmt: skip
    assert code == 1
    log = json.loads(out)
    errors = sorted(
        Draft4Validator(SARIF_SCHEMA, format_checker=FormatChecker()).iter_errors(log),
        key=lambda e: list(e.path),
    )
    assert errors == [], [e.message for e in errors]
    results = log["runs"][0]["results"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert results and all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    levels = {r["level"] for r in results}
    assert levels <= {"error", "warning", "note"} and "note" in levels


def test_sarif_schema_catches_a_broken_log() -> None:
    """The vendored schema is strict enough to fail a wrong log (this test can fail)."""
    _, out, _ = run("lint", "--format", "sarif", str(ROOT / "schemas"))
    log = json.loads(out)
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(list(Draft4Validator(SARIF_SCHEMA).iter_errors(log))) == 2


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1)])
def test_fail_on_thresholds_on_a_model_with_errors(fail_on: str, code: int) -> None:
    path = str(ROOT / "schemas/community/fantasy-portrait/image-to-video.json")
    assert run("lint", path, "--fail-on", fail_on)[0] == code


def test_fail_on_thresholds_on_a_model_with_warnings_only() -> None:
    path = str(ROOT / "schemas/bytedance/dreamina-3-0/pro/image-to-video.json")
    assert run("lint", path)[0] == 0
    assert run("lint", path, "--fail-on", "warning")[0] == 1
    assert run("lint", path, "--ignore", "RC401", "--fail-on", "info")[0] == 0


def test_clean_model_exits_zero(tmp_path: Path) -> None:
    path = ROOT / "schemas/happyhorse/happyhorse-1.0/image-to-video.json"
    code, out, _ = run("lint", str(path), "--fail-on", "info")
    assert (code, out) == (0, "no findings in 1 file\n")


def test_usage_and_parse_errors_exit_two(tmp_path: Path) -> None:
    broken = tmp_path / "a.json"
    broken.write_text("{", encoding="utf-8")
    code, _, err = run("lint", str(broken))
    assert code == 2 and err.startswith(f"error: {broken}: not valid JSON")
    assert run("lint", str(tmp_path / "missing.json"))[0] == 2
    assert run("lint", "--format", "xml")[0] == 2
    assert run("lint", "--ignore", "RC999", str(ROOT / "schemas"))[0] == 2


def test_output_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out" / "lint.sarif"
    code, out, _ = run("lint", "--format", "sarif", "-o", str(target), str(ROOT / "schemas"))
    assert code == 1 and out == ""
    assert json.loads(target.read_text("utf-8"))["version"] == "2.1.0"


def test_folder_lints_pages_and_models_but_not_names_files(
    tmp_path: Path, seed_pages: list[Path]
) -> None:
    (tmp_path / "pages").mkdir()
    for page in seed_pages[:2]:
        (tmp_path / "pages" / page.name).write_text(page.read_text("utf-8"), encoding="utf-8")
    model = ROOT / "schemas/runwayml/runway-aleph/video-to-video.json"
    (tmp_path / "m.json").write_text(model.read_text("utf-8"), encoding="utf-8")
    (tmp_path / "m.names.json").write_text('{"prompt": "text"}', encoding="utf-8")
    report = lint_paths([tmp_path])
    assert [Path(f).name for f in report.files] == [
        "m.json",
        seed_pages[0].name,
        seed_pages[1].name,
    ]


def test_a_hostile_key_cannot_forge_or_hide_text_report_lines(tmp_path: Path) -> None:
    """The pointer was printed as it came: a key holding a newline added a line of its own
    (``FAKE.json:1: error ...``, which CI problem matchers read as a finding), and terminal
    escapes and bidi overrides reached the terminal."""
    key = "a\nFAKE.json:1: error RC999 forged: x [#/]\x1b[2J\u202eb"
    model = json.loads(
        (ROOT / "schemas/community/fantasy-portrait/image-to-video.json").read_text("utf-8")
    )
    model["input_schema"]["properties"][key] = {"type": "string"}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model), encoding="utf-8")
    code, out, _ = run("lint", "--format", "text", "--fail-on", "info", str(path))
    assert code == 1
    assert not any(line.startswith("FAKE.json") for line in out.splitlines()), out
    assert all(line.isprintable() for line in out.splitlines()), out
    assert "\\x1b[2J\\u202eb]" in out
