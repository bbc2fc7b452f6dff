"""`runcomfy-codegen diff` end to end: files, pages, git:REV:path, formats, exit codes; import."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.support.cli import run
from tests.support.paths import ROOT
from tests.support.snapshots import check_snapshot

PORTRAIT = ROOT / "schemas/community/fantasy-portrait/image-to-video.json"


def mutated(tmp_path: Path) -> Path:
    data = json.loads(PORTRAIT.read_text("utf-8"))
    props = data["input_schema"]["properties"]
    data["input_schema"]["properties"] = {
        ("212_image" if k == "143_image" else k): v for k, v in props.items()
    }
    data["input_schema"]["required"] = ["212_image", "160_video", "155_positive_prompt"]
    props = data["input_schema"]["properties"]
    props["149_steps"]["maximum"] = 10
    props["174_value"]["enum"].append(161)
    props["149_seed"]["default"] = 7
    del props["149_cfg"]
    path = tmp_path / "new.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_text_json_and_markdown(tmp_path: Path) -> None:
    new = mutated(tmp_path)
    code, text, _ = run("diff", str(PORTRAIT), str(new))
    assert code == 0
    check_snapshot("diff/portrait.txt", text)
    assert text.splitlines()[0].endswith("semver bump: major")
    code, out, _ = run("diff", str(PORTRAIT), str(new), "--format", "json")
    document = json.loads(out)
    assert document["version"] == 1 and document["bump"] == "major"
    assert document["summary"] == {"breaking": 2, "non-breaking": 1, "noteworthy": 2}
    renamed = next(c for c in document["changes"] if c["code"] == "wire-key-renamed")
    assert renamed["python_name"] == "image" and renamed["wire"] == "breaking"
    code, md, _ = run("diff", str(PORTRAIT), str(new), "--format", "markdown")
    check_snapshot("diff/portrait.md", md)
    assert "**breaking**" in md and "Semver bump: **major**" in md


def test_fail_on(tmp_path: Path) -> None:
    new = mutated(tmp_path)
    assert run("diff", str(PORTRAIT), str(new), "--fail-on", "breaking")[0] == 1
    assert run("diff", str(PORTRAIT), str(PORTRAIT), "--fail-on", "any")[0] == 0
    only_default = json.loads(PORTRAIT.read_text("utf-8"))
    only_default["input_schema"]["properties"]["149_seed"]["default"] = 1
    path = tmp_path / "d.json"
    path.write_text(json.dumps(only_default), encoding="utf-8")
    assert run("diff", str(PORTRAIT), str(path), "--fail-on", "breaking")[0] == 0
    assert run("diff", str(PORTRAIT), str(path), "--fail-on", "any")[0] == 1


def test_pages_of_one_model_in_two_languages(seed_pages: list[Path]) -> None:
    japanese, german = (p for p in seed_pages if p.name.startswith(("000", "003")))
    code, out, _ = run("diff", str(japanese), str(german))
    assert code == 0
    # Only the localized output descriptions differ; the input schemas normalize identically.
    assert out.splitlines()[0].endswith("4 changes (4 noteworthy); semver bump: patch")


def test_git_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / "schemas").mkdir(parents=True)
    shutil.copy(PORTRAIT, repo / "schemas" / "m.json")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=repo, check=True, capture_output=True,
        )  # fmt: skip

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    shutil.copy(mutated(tmp_path), repo / "schemas" / "m.json")
    result = CliRunner().invoke(cli, ["diff", "git:HEAD:schemas/m.json", "schemas/m.json"])
    assert result.exit_code == 2  # run from the project, not the repo: the file is not there
    monkeypatch.chdir(repo)
    code, out, _ = run("diff", "git:HEAD:schemas/m.json", "schemas/m.json", "--fail-on", "breaking")
    missing = run("diff", "git:HEAD:schemas/nope.json", "schemas/m.json")
    malformed = run("diff", "git:HEAD", "schemas/m.json")
    assert code == 1 and "semver bump: major" in out
    assert missing[0] == 2 and missing[2].startswith(
        "error: git:HEAD:schemas/nope.json: git has no"
    )
    assert malformed[0] == 2 and "expected git:REV:path" in malformed[2]


def test_unusable_input_exits_two(tmp_path: Path) -> None:
    bad = json.loads(PORTRAIT.read_text("utf-8"))
    bad["input_schema"]["properties"]["149_seed"]["type"] = "tensor"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    code, _, err = run("diff", str(PORTRAIT), str(path))
    assert code == 2
    assert (
        err == f"error: {path}#/input_schema/properties/149_seed/type: unknown type 'tensor' "
        "(JSON Schema types: array, boolean, integer, null, number, object, string; "
        "'float', 'int', 'bool', 'str' and other letter cases are read as them)\n"
    )
    assert run("diff", str(PORTRAIT))[0] == 2


def test_import_of_a_changed_page_prints_the_diff_summary(
    tmp_path: Path, seed_pages: list[Path]
) -> None:
    japanese, german = (p for p in seed_pages if p.name.startswith(("000", "003")))
    out_dir = tmp_path / "schemas"
    run("import", str(japanese), "--schemas-dir", str(out_dir))
    code, out, err = run("import", str(german), "--schemas-dir", str(out_dir))
    assert code == 0
    assert out.startswith("changed: community/fantasy-portrait/image-to-video")
    assert len(out.strip().splitlines()) == 1  # stdout keeps one line per page
    assert err.splitlines()[0] == (
        "community/fantasy-portrait/image-to-video: 4 changes (4 noteworthy); semver bump: patch"
    )
    assert "output-description-changed" in err
