"""An output folder never is, holds or sits inside what the run reads, even with ``--force``.

``generate --out schemas --force`` wrote the package, docs and manifest among the model files;
the next ``generate`` read the manifest as a model file and failed. The rule is in one place
(``generator/output/folders.py``); these tests drive it through the command line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import generator.render.templates
from generator.cli import cli
from tests.support.paths import ROOT, SEEDS

SEED = "community/fantasy-portrait/image-to-video"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() if path.is_file() else b"<dir>"
        for path in sorted(root.rglob("*"))
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (the current folder) with one model and a templates override folder."""
    root = tmp_path / "project"
    model = root / "schemas" / f"{SEED}.json"
    model.parent.mkdir(parents=True)
    shutil.copy(ROOT / "schemas" / f"{SEED}.json", model)
    (root / "tpl" / "python").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def _refused(args: list[str], words: tuple[str, ...]) -> str:
    code, stdout, stderr = run(*args)
    assert (code, stdout) == (2, ""), stderr
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in stderr, (word, stderr)
    return stderr


@pytest.mark.parametrize(
    ("out", "relation", "input_folder"),
    [
        ("schemas", "is", "--schemas folder schemas"),
        ("schemas/generated", "is inside", "--schemas folder schemas"),
        ("tpl", "is", "--templates folder tpl"),
        ("tpl/python", "is inside", "--templates folder tpl"),
        ("../outside", None, None),  # the control: a folder apart is written
    ],
)
def test_an_out_among_the_inputs_is_refused_even_with_force(
    project: Path, out: str, relation: str | None, input_folder: str | None
) -> None:
    before = _tree(project)
    args = ["generate", "--schemas", "schemas", "--templates", "tpl", "--out", out, "--force"]
    if relation is None:
        code, _, stderr = run(*args)
        assert code == 0, stderr
        return
    _refused(args, (f"error: {out}: --out {relation} the {input_folder};", "--force does not"))
    assert _tree(project) == before  # nothing written, nothing removed
    if out == "schemas":  # the next run works (it failed once the manifest sat among models)
        code, _, stderr = run("-q", "generate", "--schemas", "schemas", "--out", "generated")
        assert code == 0, stderr


def test_an_out_holding_the_inputs_is_refused(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project root, named from elsewhere, holds the model files; a folder holding the
    --templates folder would replace it; `.` is where the user works."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "t").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    schemas = str(project / "schemas")
    _refused(
        ["generate", "--schemas", schemas, "--out", str(project), "--force"],
        (f"error: {project}: --out holds the --schemas folder {schemas};",),
    )
    templates = ["--templates", str(elsewhere / "t")]
    _refused(
        ["generate", "--schemas", schemas, "--out", str(elsewhere), "--force", *templates],
        (f"--out holds the --templates folder {elsewhere / 't'};",),
    )
    monkeypatch.chdir(project)
    _refused(
        ["generate", "--schemas", schemas, "--out", ".", "--force"],
        (f"error: .: --out is the current folder {project};",),
    )
    assert _tree(tmp_path) == before


def test_the_bundled_templates_are_an_input_too(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every run reads the bundled templates (those --templates does not override). A copy
    stands in for them, so a broken rule cannot write into the checkout."""
    bundled = tmp_path / "bundled" / "templates"
    shutil.copytree(generator.render.templates.default_templates_dir(), bundled)
    monkeypatch.setattr(generator.render.templates, "default_templates_dir", lambda: bundled)
    before = _tree(tmp_path / "bundled")
    for out, relation in ((bundled / "x", "is inside"), (bundled.parent, "holds")):
        args = ["generate", "--schemas", "schemas", "--out", str(out), "--force"]
        _refused(args, (f"--out {relation} the bundled templates folder {bundled};",))
    assert _tree(tmp_path / "bundled") == before


def test_the_project_folder_is_never_the_output(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder of the configuration file is the project's: never replaced, even when the
    command runs from elsewhere and the model files live outside it."""
    config = project / "pyproject.toml"
    config.write_text('[tool.runcomfy-codegen]\nout-dir = "."\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(project / "schemas", elsewhere / "schemas")
    monkeypatch.chdir(elsewhere)
    before = _tree(project)
    args = ["--config", str(config), "generate", "--schemas", str(elsewhere / "schemas")]
    words = "error: ../project: --out is the folder of pyproject.toml ../project;"
    _refused([*args, "--force"], (words,))
    assert _tree(project) == before


def test_check_never_puts_its_cache_among_the_model_files(project: Path) -> None:
    """`--check` writes only the cache, beside --out: beside `schemas/x` is inside schemas/."""
    before = _tree(project)
    _refused(
        ["generate", "--check", "--schemas", "schemas", "--out", "schemas/x"],
        ("the cache is inside the --schemas folder schemas;",),
    )
    assert _tree(project) == before


@pytest.mark.parametrize("command", ["import", "pull"])
@pytest.mark.parametrize(
    ("config", "schemas_dir", "relation", "out"),
    [
        ("", "generated", "is", "generated"),
        ("", "generated/schemas", "is inside", "generated"),
        ("", ".", "holds", "generated"),
        ('out-dir = "sdk"\n', "sdk/models", "is inside", "sdk"),
    ],
)
def test_model_files_are_never_written_into_the_output_folder(
    project: Path, command: str, config: str, schemas_dir: str, relation: str, out: str
) -> None:
    """`import --schemas-dir generated/schemas` put model files where the next generate
    removes them; refused before any page is read or the catalog is asked."""
    (project / "pyproject.toml").write_text(f"[tool.runcomfy-codegen]\n{config}", "utf-8")
    before = _tree(project)
    page = str(sorted(SEEDS.glob("*.txt"))[0])
    # pull asks a closed local port, never the real catalog, should the check ever break.
    what = [page] if command == "import" else [SEED, "--base-url", "http://127.0.0.1:9"]
    args = [command, *what, "--schemas-dir", schemas_dir]
    code, stdout, stderr = run(*args, env={"RUNCOMFY_API_TOKEN": "t"})
    assert (code, stdout) == (2, ""), stderr
    assert stderr == (
        f"error: {schemas_dir}: --schemas-dir {relation} the generate --out folder {out}; "
        "generate replaces it as a whole; keep model files apart from it\n"
    )
    assert _tree(project) == before
