"""``diff git:REV:path``: a revision or path from the command line never becomes a git option."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.support.paths import ROOT

PORTRAIT = ROOT / "schemas/community/fantasy-portrait/image-to-video.json"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "repo"
    (repo / "schemas").mkdir(parents=True)
    shutil.copy(PORTRAIT, repo / "schemas" / "m.json")
    for args in (("init", "-q"), ("add", "."), ("commit", "-q", "-m", "one")):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=repo, check=True, capture_output=True,
        )  # fmt: skip
    monkeypatch.chdir(repo)
    return repo


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if ".git" not in p.parts}


@pytest.mark.parametrize(
    "spec",
    [
        "git:--output=planted.txt:x",
        "git:--output=planted.txt:schemas/m.json",
        "git:-p:schemas/m.json",
        "git:HEAD --output=planted.txt:schemas/m.json",
        "git:HEAD..HEAD:schemas/m.json",
        "git:HEAD:../outside.json",
        "git:HEAD:/etc/passwd",
        "git:HEAD:--output=planted.txt",
        "git:HEAD:.",
        "git:nosuchbranch:schemas/m.json",
    ],
)
def test_hostile_git_specs_exit_two_and_create_nothing(repo: Path, spec: str) -> None:
    before = files_under(repo.parent)
    result = CliRunner().invoke(cli, ["diff", spec, "schemas/m.json"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: {spec}: ")
    assert result.stdout == ""
    assert files_under(repo.parent) == before
    assert not (repo / "planted.txt").exists()


@pytest.mark.parametrize("rev", ["HEAD", "HEAD~0", "master@{0}", "HEAD^{commit}"])
def test_ordinary_revisions_still_work(repo: Path, rev: str) -> None:
    subprocess.run(["git", "branch", "-M", "master"], cwd=repo, check=True, capture_output=True)
    result = CliRunner().invoke(cli, ["diff", f"git:{rev}:schemas/m.json", "schemas/m.json"])
    assert result.exit_code == 0, result.output
    assert "no changes" in result.stdout or "0 changes" in result.stdout, result.stdout
