"""Inside a git work tree, versions are planned against the output committed at HEAD."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.output.release import RELEASE_MANIFEST
from tests.support.hooks import run_hook
from tests.support.paths import ROOT

MODEL = "runwayml/runway-aleph/video-to-video"
GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run(
        [GIT, "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com",
         "-c", "commit.gpgsign=false", *args],
        check=True, capture_output=True,
    )  # fmt: skip


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "schemas" / MODEL).parent.mkdir(parents=True)
    shutil.copy(ROOT / "schemas" / f"{MODEL}.json", repo / "schemas" / f"{MODEL}.json")
    _git(repo, "init", "-q")
    return repo


def _generate(repo: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["generate", "--schemas", str(repo / "schemas"), "--out", str(repo / "generated")],
    )
    assert result.exit_code == 0, result.output


def _version(repo: Path) -> str:
    text = (repo / "generated/python/pyproject.toml").read_text("utf-8")
    return str(tomllib.loads(text)["project"]["version"])


def _changelog(repo: Path) -> str:
    return (repo / "generated/python/CHANGELOG.md").read_text("utf-8")


def _releases(repo: Path) -> list[str]:
    return [line for line in _changelog(repo).splitlines() if line.startswith("## ")]


def _add_property(repo: Path, key: str) -> None:
    path = repo / "schemas" / f"{MODEL}.json"
    data = json.loads(path.read_text("utf-8"))
    data["input_schema"]["properties"][key] = {"type": "integer", "description": "added"}
    path.write_text(json.dumps(data, indent=2) + "\n", "utf-8")


def test_edits_before_a_commit_are_one_release_and_a_revert_is_none(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    original = (repo / "schemas" / f"{MODEL}.json").read_bytes()
    _generate(repo)
    _generate(repo)  # nothing committed yet: still the first release
    assert _version(repo) == "0.1.0"
    assert _releases(repo) == ["## 0.1.0"]
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first release")
    released = _changelog(repo)

    _add_property(repo, "steps")
    _generate(repo)
    assert _version(repo) == "0.2.0"
    _generate(repo)  # regenerating before the commit: the same release
    _add_property(repo, "guidance")
    _generate(repo)  # a second edit before the commit: still one release, both changes in it
    assert _version(repo) == "0.2.0"
    changelog = _changelog(repo)
    assert _releases(repo) == ["## 0.2.0", "## 0.1.0"]
    assert "steps" in changelog and "guidance" in changelog
    assert changelog.endswith(released.split("\n\n", 2)[2])  # the released history, kept

    (repo / "schemas" / f"{MODEL}.json").write_bytes(original)  # revert
    _generate(repo)
    assert _version(repo) == "0.1.0"
    assert _changelog(repo) == released


def test_precommit_generate_hook_twice_then_check_hook_is_one_release(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    status, output = run_hook("runcomfy-codegen-generate", repo)
    assert status == 0, output
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first release")

    _add_property(repo, "steps")
    # pre-commit runs the hook, the user stages what it changed and commits again: two runs.
    for _ in range(2):
        status, output = run_hook("runcomfy-codegen-generate", repo)
        assert status == 0, output
    assert _version(repo) == "0.2.0"
    assert _releases(repo) == ["## 0.2.0", "## 0.1.0"]
    status, output = run_hook("runcomfy-codegen-check", repo)
    assert status == 0, output
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "steps")
    status, output = run_hook("runcomfy-codegen-generate", repo)
    assert status == 0, output
    assert _version(repo) == "0.2.0"  # committed: the release stays as it is
    assert _releases(repo) == ["## 0.2.0", "## 0.1.0"]


def test_release_flag_is_refused_inside_git(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    out = repo / "generated"
    result = CliRunner().invoke(
        cli, ["generate", "--schemas", str(repo / "schemas"), "--out", str(out), "--release"]
    )
    assert result.exit_code == 2 and "committing" in result.stderr
    assert result.stderr.count("\n") == 1 and not out.exists()
    _generate(repo)
    assert not (out / RELEASE_MANIFEST).exists()  # inside git the commit is the release


@pytest.mark.parametrize("pattern", ["generated/", "generated"])
def test_an_ignored_output_folder_is_released_with_the_manifest(
    tmp_path: Path, pattern: str
) -> None:
    """An ignored output folder is never committed: --release works from its first run on, also
    when .gitignore names it as a folder (`generated/`) and it does not exist yet."""
    repo = _repo(tmp_path)
    (repo / ".gitignore").write_text(f"{pattern}\n", "utf-8")
    out = repo / "generated"
    result = CliRunner().invoke(
        cli, ["generate", "--schemas", str(repo / "schemas"), "--out", str(out), "--release"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads((out / RELEASE_MANIFEST).read_text("utf-8"))["version"] == "0.1.0"
