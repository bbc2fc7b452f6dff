"""Renaming the generated package: the manifest removes the old package's files (never a user's),
the cache never serves files made under another name, and the release goes on under the new
title."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.config import PackageNames
from generator.output.build import build
from generator.output.cache import RenderCache
from generator.output.tree import MANIFEST
from tests.support.paths import SCHEMAS

MODEL = "runwayml/runway-aleph/video-to-video"


@pytest.fixture
def schemas(tmp_path: Path) -> Path:
    """One seed model (the cheapest to render)."""
    folder = tmp_path / "schemas"
    (folder / MODEL).parent.mkdir(parents=True)
    shutil.copyfile(SCHEMAS / f"{MODEL}.json", folder / f"{MODEL}.json")
    return folder


def _generate(schemas: Path, out: Path, names: tuple[str, str] | None, *extra: str) -> str:
    """Exit status 0 or the one error line."""
    flags = [] if names is None else ["--distribution-name", names[0], "--import-name", names[1]]
    result = CliRunner().invoke(
        cli,
        ["--isolated", "generate", "--schemas", str(schemas), "--out", str(out), *flags, *extra],
    )
    if result.exit_code == 0:
        return ""
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def _manifest(out: Path) -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads((out / MANIFEST).read_text("utf-8"))
    return data


def _version(out: Path) -> str:
    return str(
        tomllib.loads((out / "python/pyproject.toml").read_text("utf-8"))["project"]["version"]
    )


def test_renaming_removes_the_old_package_and_never_a_users_file(
    schemas: Path, tmp_path: Path
) -> None:
    out = tmp_path / "generated"
    assert _generate(schemas, out, None) == ""
    assert _generate(schemas, out, ("acme-models", "acme_models")) == ""
    assert sorted(p.name for p in (out / "python").iterdir()) == [
        "CHANGELOG.md", "README.md", "acme_models", "pyproject.toml"
    ]  # fmt: skip
    assert not any(p.startswith("python/runcomfy_models/") for p in _manifest(out)["files"])

    # A file of the user's in the package folder: refused, then kept with --force.
    (out / "python/acme_models/mine.py").write_text("MINE = 1\n", encoding="utf-8")
    error = _generate(schemas, out, ("beta-sdk", "beta_sdk"))
    assert "holds files generate did not write (python/acme_models/mine.py)" in error
    assert (out / "python/acme_models/__init__.py").is_file()  # untouched
    assert _generate(schemas, out, ("beta-sdk", "beta_sdk"), "--force") == ""
    assert [p.name for p in (out / "python/acme_models").iterdir()] == ["mine.py"]
    assert (out / "python/beta_sdk/__init__.py").is_file()
    assert _manifest(out)["kept"] == ["python/acme_models/mine.py"]
    assert _generate(schemas, out, ("beta-sdk", "beta_sdk"), "--check") == ""


def test_a_tree_written_before_manifests_is_renamed_cleanly(schemas: Path, tmp_path: Path) -> None:
    """Such a tree could only hold ``runcomfy_models``: its files are generate's to remove."""
    out = tmp_path / "generated"
    assert _generate(schemas, out, None) == ""
    (out / MANIFEST).unlink()
    assert _generate(schemas, out, ("acme-models", "acme_models")) == ""
    assert not (out / "python/runcomfy_models").exists()
    assert (out / "python/acme_models/__init__.py").is_file()


def test_the_release_goes_on_under_the_new_title(schemas: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    assert _generate(schemas, out, None) == ""
    assert _generate(schemas, out, ("acme-models", "acme_models"), "--release") == ""
    changelog = (out / "python/CHANGELOG.md").read_text("utf-8")
    assert changelog.startswith("# Changelog of acme-models\n") and _version(out) == "0.1.0"
    assert changelog.count("# Changelog of") == 1 and "## 0.1.0" in changelog

    path = schemas / f"{MODEL}.json"
    model = json.loads(path.read_text("utf-8"))
    model["input_schema"]["properties"]["seed"] = {"type": "integer"}
    path.write_text(json.dumps(model), "utf-8")
    assert _generate(schemas, out, ("beta-sdk", "beta_sdk")) == ""
    changelog = (out / "python/CHANGELOG.md").read_text("utf-8")
    assert changelog.startswith("# Changelog of beta-sdk\n") and _version(out) == "0.2.0"
    assert changelog.count("# Changelog of") == 1
    assert changelog.index("## 0.2.0") < changelog.index("## 0.1.0")


def test_the_cache_never_serves_files_made_under_another_name(
    schemas: Path, tmp_path: Path
) -> None:
    cache = RenderCache(tmp_path / "cache")
    first_names = PackageNames("zq-first", "zq_first")
    second_names = PackageNames("zq-second", "zq_second")
    first = build(schemas, cache=cache, package_names=first_names)
    assert (first.rendered, first.reused) == (1, 0)
    other = build(schemas, cache=cache, package_names=second_names)
    assert (other.rendered, other.reused) == (1, 0)
    python = [path for path in other.files if path.startswith("python/") and path.count("/") > 1]
    assert python and all(path.startswith("python/zq_second/") for path in python)
    assert not any("zq_first" in text or "zq-first" in text for text in other.files.values())
    again = build(schemas, cache=cache, package_names=first_names)
    assert (again.rendered, again.reused) == (0, 1)
    assert again.files == first.files
