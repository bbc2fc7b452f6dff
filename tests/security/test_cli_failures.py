"""Every failure of every command is one line on stderr and exit status 2; never a traceback.

Exit 1 keeps its meanings (``generate --check`` drift, ``lint``/``diff`` findings).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import generator.output.build
from generator.cli import cli
from generator.cli._app import DEBUG_ENV
from tests.support.cli import run
from tests.support.paths import ROOT

PORTRAIT = ROOT / "schemas/community/fantasy-portrait/image-to-video.json"


@pytest.fixture
def schemas(tmp_path: Path) -> Path:
    folder = tmp_path / "schemas" / "community" / "fantasy-portrait"
    folder.mkdir(parents=True)
    shutil.copy(PORTRAIT, folder / "image-to-video.json")
    return tmp_path / "schemas"


@pytest.mark.parametrize(
    ("template", "line", "words"),
    [
        ("python/README.md.jinja", "# {{ package }\n", "template syntax error on line 1"),
        ("python/README.md.jinja", "x\n\n{{ no_such_name }}\n", "line 3: UndefinedError"),
        ("python/README.md.jinja", "{{ package|py(1, 2) }}\n", "line 1: TypeError"),
        ("python/README.md.jinja", "{% include 'nope.jinja' %}\n", "nope.jinja"),
        ("python/py.typed.jinja", "{{ 1 // 0 }}\n", "line 1: ZeroDivisionError"),
        ("python/package_init.py.jinja", "def (:\n", "does not parse"),
    ],
)
def test_a_broken_user_template_names_the_template_and_line(
    tmp_path: Path, schemas: Path, template: str, line: str, words: str
) -> None:
    templates = tmp_path / "templates"
    (templates / template).parent.mkdir(parents=True)
    (templates / template).write_text(line, encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = run(
        "generate", "--schemas", str(schemas), "--out", str(out), "--templates", str(templates)
    )
    assert code == 2 and stdout == "" and stderr.count("\n") == 1, stderr
    assert words in stderr, stderr
    if "parse" not in words and "nope" not in words:
        assert str(templates / template) in stderr
    assert not out.exists()
    code, _, stderr = run(
        "generate", "--schemas", str(schemas), "--out", str(out), "--templates", str(templates),
        "--check",
    )  # fmt: skip
    assert code == 2, "a template error is not drift"


def test_an_output_folder_that_is_a_file_is_one_line(tmp_path: Path, schemas: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    code, _, stderr = run("generate", "--schemas", str(schemas), "--out", str(blocker / "o"))
    assert code == 2 and stderr.count("\n") == 1 and stderr.startswith("error: "), stderr


def test_an_internal_error_is_one_line_unless_debugging(
    tmp_path: Path, schemas: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(generator.output.build, "model_files", broken)
    args = ["generate", "--schemas", str(schemas), "--out", str(tmp_path / "o")]
    code, _, stderr = run(*args)
    assert code == 2
    assert stderr == "error: internal error (RuntimeError: boom second line); please report it\n"
    monkeypatch.setenv(DEBUG_ENV, "1")
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, RuntimeError)


def test_ctrl_c_is_exit_130_not_drift(
    tmp_path: Path, schemas: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """click's own handling printed "Aborted!" and exited 1, the status of drift for --check."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(generator.output.build, "model_files", interrupted)
    out = tmp_path / "o"
    for check in ([], ["--check"]):
        code, stdout, stderr = run("generate", "--schemas", str(schemas), "--out", str(out), *check)
        assert (code, stdout, stderr) == (130, "", "error: interrupted\n")
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["normalize", "/nonexistent/x.json"],
        ["normalize", "/dev/zero"],
        ["lint", "/nonexistent"],
        ["diff", "/nonexistent/a.json", "/nonexistent/b.json"],
        ["import", "/nonexistent/page.txt"],
        ["generate", "--schemas", "/nonexistent"],
    ],
)
def test_unreadable_inputs_are_one_line(args: list[str]) -> None:
    code, _, stderr = run(*args)
    assert code == 2 and stderr.count("\n") == 1 and stderr.startswith("error: "), stderr


def test_error_lines_never_carry_terminal_control_characters() -> None:
    from generator.errors import InputError

    text = str(InputError("page.txt", "bad \x1b[2J\x07 value\nsecond\u2028line", "/a"))
    assert text == "page.txt#/a: bad \\x1b[2J\\x07 value second line"
    assert text.isprintable()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["no-such-command"], "runcomfy-codegen: No such command 'no-such-command'"),
        (["lint", "--ignore", "RC999"], "runcomfy-codegen lint: Invalid value for '--ignore'"),
        (["generate", "--no-such-flag"], "runcomfy-codegen generate: No such option"),
        (["diff", "only-one"], "runcomfy-codegen diff: Missing argument"),
        # the group's own options: click printed its usage, a hint and the error (4 lines)
        (["--no-such-flag", "lint"], "runcomfy-codegen: No such option '--no-such-flag'"),
        (["--config"], "runcomfy-codegen: Option '--config' requires an argument"),
        (["--config", "/", "lint"], "runcomfy-codegen: Invalid value for '--config'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], words: str) -> None:
    result = CliRunner().invoke(cli, args, prog_name="runcomfy-codegen")
    code, stdout, stderr = result.exit_code, result.stdout, result.stderr
    assert code == 2 and not stdout
    assert stderr.startswith(f"error: {words}") and stderr.count("\n") == 1, stderr
    assert "--help')" in stderr


@pytest.mark.parametrize("command", ["normalize", "import", "lint", "generate"])
def test_a_fifo_nobody_writes_is_one_line_not_a_hang(tmp_path: Path, command: str) -> None:
    """Opening a FIFO waits for a writer; read_bounded's limit never came into play, so a
    ``*.json`` FIFO in the schemas folder (or one named on the command line) hung for ever."""
    folder = tmp_path / "schemas" / "acme" / "model"
    folder.mkdir(parents=True)
    fifo = folder / ("image.txt" if command == "import" else "image.json")
    os.mkfifo(fifo)
    target = str(tmp_path / "schemas") if command == "generate" else str(fifo)
    args = (
        ["--schemas", target, "--out", str(tmp_path / "o")] if command == "generate" else [target]
    )
    if command == "import":
        args += ["--schemas-dir", str(tmp_path / "out")]
    code, stdout, stderr = run(command, *args)
    assert code == 2 and stdout == "" and stderr.count("\n") == 1, stderr
    assert str(fifo) in stderr, stderr


def test_no_command_at_all_prints_the_help() -> None:
    result = CliRunner().invoke(cli, [], prog_name="runcomfy-codegen")
    assert result.exit_code == 2
    assert result.output.startswith("Usage: runcomfy-codegen [OPTIONS] COMMAND"), result.output
    assert "Commands:" in result.output


def test_a_library_warning_never_reaches_the_user(tmp_path: Path, schemas: Path) -> None:
    """jsonschema warns (two lines, a path into site-packages) when it compiles a POSIX class
    such as [[:alpha:]] with Python's re; the command's own output stays what it says."""
    path = next(schemas.rglob("*.json"))
    model = json.loads(path.read_text("utf-8"))
    model["input_schema"]["properties"]["tag"] = {"type": "string", "pattern": "[[:alpha:]]+"}
    path.write_text(json.dumps(model), "utf-8")
    executable = Path(sys.executable).parent / "runcomfy-codegen"  # the project's venv
    command = [
        str(executable),
        "generate",
        "--schemas",
        str(schemas),
        "--out",
        str(tmp_path / "out"),
    ]
    env = {key: value for key, value in os.environ.items() if key != DEBUG_ENV}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "Warning" not in done.stdout
