"""``-q`` ("Print errors only") on every command, before or after the command name.

Only ``generate`` honoured it: ``import`` and ``pull`` printed a line per model and the
classified diffs, ``normalize`` its warnings, and ``serve -q`` was a usage error (its own
``--quiet`` hid the shared option).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.serve import serve_in_thread
from tests.support.cli import run
from tests.support.paths import ROOT

PORTRAIT = ROOT / "schemas/community/fantasy-portrait/image-to-video.json"


@pytest.mark.parametrize("command", sorted(cli.list_commands(click.Context(cli))))
def test_every_command_takes_q_after_its_name(command: str) -> None:
    code, stdout, stderr = run(command, "-q", "--help")
    assert code == 0 and "-q, --quiet" in stdout, stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_import_prints_nothing_and_still_writes(
    tmp_path: Path, seed_pages: list[Path], where: str
) -> None:
    schemas = tmp_path / "schemas"
    args = ["import", "--schemas-dir", str(schemas), *map(str, seed_pages)]
    code, stdout, stderr = run(*(["-q", *args] if where == "before" else [*args, "-q"]))
    assert (code, stdout, stderr) == (0, "", "")
    assert len(list(schemas.rglob("*.json"))) == 4  # seeds 000 and 003 are one model
    code, stdout, stderr = run("-q", *args[:-1], str(tmp_path / "missing.txt"))
    assert code == 2 and stdout == "" and stderr.startswith("error: "), stderr


def test_quiet_normalize_prints_the_schema_but_no_warnings(tmp_path: Path) -> None:
    code, stdout, stderr = run("normalize", str(PORTRAIT))
    assert code == 0 and "warning: " in stderr  # seed 000's example names bare files
    code, quiet_stdout, stderr = run("-q", "normalize", str(PORTRAIT))
    assert (code, quiet_stdout, stderr) == (0, stdout, "")


def test_quiet_pull_prints_nothing_and_still_writes(tmp_path: Path) -> None:
    remote = tmp_path / "remote" / "community" / "fantasy-portrait"
    remote.mkdir(parents=True)
    shutil.copy(PORTRAIT, remote / "image-to-video.json")
    local = tmp_path / "schemas"
    with serve_in_thread(tmp_path / "remote", token="quiet-token") as server:
        result = CliRunner().invoke(
            cli,
            ["-q", "pull", "--all", "--schemas-dir", str(local), "--base-url", server.base_url],
            env={"RUNCOMFY_API_TOKEN": "quiet-token"},
            catch_exceptions=False,
        )
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert (local / "community/fantasy-portrait/image-to-video.json").is_file()
