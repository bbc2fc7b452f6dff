"""The generated package's names: ``distribution-name`` / ``import-name`` in the file and the
same-named flags, checked by one rule each, with flag > file > default."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli._config import default_map
from generator.config import (
    DEFAULT_DISTRIBUTION_NAME,
    DEFAULT_IMPORT_NAME,
    distribution_name_problem,
    import_name_problem,
    read_config,
)
from tests.support.cli import run
from tests.support.paths import SCHEMAS

ALEPH = "runwayml/runway-aleph/video-to-video.json"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with one seed model in ``schemas/``, as the current folder."""
    target = tmp_path / "schemas" / ALEPH
    target.parent.mkdir(parents=True)
    shutil.copyfile(SCHEMAS / ALEPH, target)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _configure(project: Path, body: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.runcomfy-codegen]\n{body}", encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("json", "would shadow the standard library module json"),
        ("typing", "would shadow the standard library module typing"),
        ("httpx", "would shadow httpx"),
        ("pydantic", "would shadow pydantic"),
        ("generator", "would shadow generator"),
        ("class", "is a Python keyword"),
        ("a.b", "is not one Python identifier"),
        ("..", "is not one Python identifier"),
        ("a/b", "is not one Python identifier"),
        ("acme-models", "is not one Python identifier"),
        ("1acme", "is not one Python identifier"),
        ("modèle", "is not one Python identifier"),
        ("", "is not one Python identifier"),
    ],
)
def test_import_names_that_cannot_be_a_package_folder_are_refused(name: str, problem: str) -> None:
    assert problem in (import_name_problem(name) or "")


@pytest.mark.parametrize("name", ["acme_models", "Acme", "_acme", "sdk2", DEFAULT_IMPORT_NAME])
def test_identifiers_are_import_names(name: str) -> None:
    assert import_name_problem(name) is None


@pytest.mark.parametrize("name", ["-acme", "acme-", "acme models", "a/b", "é", "", "acme_"])
def test_distribution_names_outside_pep_508_are_refused(name: str) -> None:
    assert "is not a distribution name (PEP 508" in (distribution_name_problem(name) or "")


@pytest.mark.parametrize("name", ["acme-models", "Acme.Models_2", "x", DEFAULT_DISTRIBUTION_NAME])
def test_pep_508_names_are_distribution_names(name: str) -> None:
    assert distribution_name_problem(name) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'import-name = "json"\n',
            "tool.runcomfy-codegen.import-name: 'json' would shadow the standard library "
            "module json",
        ),
        (
            'import-name = "acme.models"\n',
            "tool.runcomfy-codegen.import-name: 'acme.models' is not one Python identifier",
        ),
        (
            "import-name = 3\n",
            "tool.runcomfy-codegen.import-name: must be a string, not an integer",
        ),
        (
            'distribution-name = "acme models"\n',
            "tool.runcomfy-codegen.distribution-name: 'acme models' is not a distribution name",
        ),
    ],
)
def test_a_bad_name_in_the_file_is_one_line_naming_file_and_key(
    project: Path, body: str, message: str
) -> None:
    _configure(project, body)
    for command in (["generate"], ["run", "a/b/c"]):
        code, out, err = run(*command)
        assert (code, out) == (2, "")
        assert err.startswith(f"error: pyproject.toml: {message}"), err
        assert err.count("\n") == 1
    assert not (project / "generated").exists()


@pytest.mark.parametrize(
    ("flag", "value", "problem"),
    [
        ("--import-name", "json", "'json' would shadow the standard library module json"),
        ("--import-name", "../acme", "'../acme' is not one Python identifier"),
        ("--import-name", "class", "'class' is a Python keyword"),
        ("--distribution-name", "acme/models", "'acme/models' is not a distribution name"),
    ],
)
def test_a_bad_name_as_a_flag_is_one_line_naming_the_flag(
    project: Path, flag: str, value: str, problem: str
) -> None:
    code, out, err = run("generate", flag, value)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: cli generate: Invalid value for '{flag}': {problem}"), err
    assert err.count("\n") == 1
    assert not (project / "generated").exists()
    if flag == "--import-name":
        code, _, err = run("run", "a/b/c", flag, value)
        assert code == 2 and f"Invalid value for '{flag}': {problem}" in err, err


def _written_names(*args: str) -> tuple[set[str], str]:
    """``generate --check`` into a missing folder: the package folders it would write, and
    the distribution name its pyproject.toml would give."""
    code, diff, err = run(*args, "--check", "--no-cache", "--out", "absent")
    assert code == 1, err
    added = [line[len("+++ b/") :] for line in diff.splitlines() if line.startswith("+++ b/")]
    folders = {
        path.split("/")[1] for path in added if path.startswith("python/") and "/" in path[7:]
    }
    [name] = [line for line in diff.splitlines() if line.startswith('+name = "')]
    return folders, name[len('+name = "') : -1]


def test_flag_wins_over_the_file_and_the_file_over_the_default(project: Path) -> None:
    assert _written_names("generate") == ({DEFAULT_IMPORT_NAME}, DEFAULT_DISTRIBUTION_NAME)
    _configure(project, 'import-name = "from_file"\ndistribution-name = "from-file"\n')
    assert _written_names("generate") == ({"from_file"}, "from-file")
    flags = ("--import-name", "from_flag", "--distribution-name", "from-flag")
    assert _written_names("generate", *flags) == ({"from_flag"}, "from-flag")
    assert _written_names("--isolated", "generate") == (
        {DEFAULT_IMPORT_NAME},
        DEFAULT_DISTRIBUTION_NAME,
    )


def test_the_names_reach_generate_and_run(project: Path) -> None:
    _configure(project, 'import-name = "acme_models"\ndistribution-name = "acme-models"\n')
    config = read_config(project / "pyproject.toml")
    defaults = default_map(config)
    assert defaults["generate"] == {
        "distribution_name": "acme-models",
        "import_name": "acme_models",
    }
    assert defaults["run"] == {"import_name": "acme_models"}
    assert "[default: acme_models]" in run("run", "--help")[1]
