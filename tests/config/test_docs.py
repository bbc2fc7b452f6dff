"""docs/configuration.md stays true: its example is a valid configuration, its tables list
every key the reader accepts and no other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator import config as config_module
from generator.config import read_config
from tests.support.paths import ROOT

DOC = (ROOT / "docs" / "configuration.md").read_text("utf-8")


def _section(title: str) -> str:
    return DOC.split(f"### `{title}`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]


def test_the_example_is_a_valid_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = re.search(r"```toml\n(.*?)```", DOC, re.S)
    assert example is not None
    (tmp_path / "pyproject.toml").write_text(example.group(1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config = read_config(tmp_path / "pyproject.toml")
    assert config.schemas_dir == Path("schemas")
    assert config.lint.baseline == Path("ci/lint-baseline.json")
    assert all(entry.reason for entry in config.lint.per_file_ignores)


@pytest.mark.parametrize(
    ("title", "known"),
    [
        ("[tool.runcomfy-codegen]", config_module._TOP_KEYS),
        ("[tool.runcomfy-codegen.lint]", config_module._LINT_KEYS),
    ],
)
def test_the_key_tables_list_exactly_the_known_keys(title: str, known: tuple[str, ...]) -> None:
    documented = re.findall(r"^\| `([a-z-]+)` \|", _section(title), re.M)
    assert sorted(documented) == sorted(known)
