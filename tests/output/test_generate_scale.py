"""``generate`` at scale: the render cache, lazy imports, output folder refusals, package check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.errors import InputError
from generator.output.build import POOL_THRESHOLD, build
from generator.output.cache import CACHE_DIR_NAME, GITIGNORE, RenderCache
from generator.render.templates import default_templates_dir
from generator.schema.documented import dump_model_file, model_path
from tests.support.corpus import corpus_model
from tests.support.paths import ROOT

SEEDS = ("runwayml/runway-aleph/video-to-video", "community/fantasy-portrait/image-to-video")


def _schemas(tmp_path: Path, models: tuple[str, ...] = SEEDS) -> Path:
    schemas = tmp_path / "schemas"
    for model in models:
        (schemas / model).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "schemas" / f"{model}.json", schemas / f"{model}.json")
    return schemas


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _generate(schemas: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return _run("-v", "generate", "--schemas", str(schemas), "--out", str(out), *extra)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _edit(schemas: Path, model: str, key: str) -> None:
    path = schemas / f"{model}.json"
    data = json.loads(path.read_text("utf-8"))
    data["input_schema"]["properties"][key] = {"type": "integer", "description": "added"}
    path.write_text(json.dumps(data, indent=2), "utf-8")


def test_cache_on_and_off_give_the_same_bytes(tmp_path: Path) -> None:
    schemas = _schemas(tmp_path)
    code, _, err = _generate(schemas, tmp_path / "off", "--no-cache")
    assert code == 0, err
    assert not (tmp_path / CACHE_DIR_NAME).exists()
    code, _, err = _generate(schemas, tmp_path / "cold")
    assert code == 0, err
    assert "(2 rendered, 0 from the cache)" in err
    assert (tmp_path / CACHE_DIR_NAME).is_dir()  # beside the output folder
    code, _, err = _generate(schemas, tmp_path / "warm")
    assert code == 0, err
    assert "(0 rendered, 2 from the cache)" in err
    assert _tree(tmp_path / "off") == _tree(tmp_path / "cold") == _tree(tmp_path / "warm")


def test_git_never_sees_the_cache(tmp_path: Path) -> None:
    """Beside a committed generated/, `git add -A` committed the cache (no .gitignore in it)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    code, _, err = _generate(_schemas(tmp_path), tmp_path / "generated")
    assert code == 0, err
    assert (tmp_path / CACHE_DIR_NAME / ".gitignore").read_text("utf-8") == GITIGNORE
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert status and not [line for line in status if CACHE_DIR_NAME in line], status


@pytest.mark.parametrize("cache_dir", [".", "schemas", "schemas/sub", "generated", "generated/c"])
def test_a_cache_dir_among_the_user_s_files_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: str
) -> None:
    """`--cache-dir .` made pruning delete the project's */*.json files unused for 14 days;
    `--cache-dir schemas` made the next generate read cache entries as model files."""
    schemas = _schemas(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = _run("generate", "--cache-dir", cache_dir)
    assert code == 2 and stdout == "" and stderr.count("\n") == 1, stderr
    assert stderr.startswith(f"error: {cache_dir}: ")
    assert not (tmp_path / "generated").exists()
    assert not list(schemas.rglob(".gitignore"))


def test_pruning_deletes_only_cache_entries(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "cache")
    key = "ab" + "0" * 62
    cache.put(key, "index", {"a.txt": "a\n"})
    user_file = tmp_path / "cache" / "config" / "settings.json"
    user_file.parent.mkdir()
    user_file.write_text("{}", "utf-8")
    month_ago = time.time() - 30 * 86400
    for path in (user_file, tmp_path / "cache" / "ab" / f"{key}.json"):
        os.utime(path, (month_ago, month_ago))
    cache.prune()
    assert user_file.exists()
    assert not (tmp_path / "cache" / "ab" / f"{key}.json").exists()


def test_corrupt_or_stale_cache_entries_are_ignored(tmp_path: Path) -> None:
    schemas = _schemas(tmp_path)
    assert _generate(schemas, tmp_path / "reference", "--no-cache")[0] == 0
    assert _generate(schemas, tmp_path / "first")[0] == 0
    entries = sorted((tmp_path / CACHE_DIR_NAME).glob("*/*.json"))
    assert len(entries) == 3  # two models and the index
    for number, entry in enumerate(entries):
        data = json.loads(entry.read_text("utf-8"))
        if number == 0:
            entry.write_bytes(entry.read_bytes()[:100])  # truncated write
        elif number == 1:  # a file edited behind the digest's back
            path = next(iter(data["files"]))
            data["files"][path] += "tampered\n"
            entry.write_text(json.dumps(data), "utf-8")
        else:  # an entry copied under another key
            data["key"] = "0" * 64
            entry.write_text(json.dumps(data), "utf-8")
    code, _, err = _generate(schemas, tmp_path / "again")
    assert code == 0, err
    assert "from the cache" in err
    assert _tree(tmp_path / "again") == _tree(tmp_path / "reference")


def test_one_changed_model_renders_only_that_model(tmp_path: Path) -> None:
    schemas = _schemas(tmp_path)
    out = tmp_path / "generated"
    assert _generate(schemas, out, "--release")[0] == 0  # outside git: 0.1.0 is released
    _edit(schemas, SEEDS[0], "extra_steps")
    code, stdout, err = _generate(schemas, out)
    assert code == 0, err
    assert "(1 rendered, 1 from the cache)" in err
    # model: 2 schemas, module, page; index: docs index, CHANGELOG, pyproject and __init__ (its
    # __version__): the version is bumped by the new optional input; release.json, the last
    # release, stays as it is
    assert "0 added, 7 changed, 0 removed" in stdout
    code, _, err = _generate(schemas, out, "--check")
    assert code == 0, err


_LOADED = """
import sys
from generator.cli import main
sys.argv = ["runcomfy-codegen", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = ("jsonschema", "black", "datamodel_code_generator", "rfc3987_syntax", "pydantic")
real = [m for m, module in sys.modules.items() if getattr(module, "__file__", None)]
print("LOADED", sorted(m for m in real if m in heavy or m.startswith("generator.cli.")))
"""


def _loaded_modules(*args: str, cwd: Path = ROOT) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *args], cwd=cwd, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    line = next(x for x in done.stdout.splitlines() if x.startswith("LOADED"))
    loaded: list[str] = json.loads(line.removeprefix("LOADED ").replace("'", '"'))
    return loaded


def test_help_and_up_to_date_check_import_no_heavy_library(tmp_path: Path) -> None:
    # generator.cli._config (the [tool.runcomfy-codegen] hook) is light: tomllib and click only.
    assert _loaded_modules("--help") == ["generator.cli._app", "generator.cli._config"]
    schemas = _schemas(tmp_path)
    out = tmp_path / "generated"
    assert _generate(schemas, out)[0] == 0
    check = ["generate", "--check", "--schemas", str(schemas), "--out", str(out)]
    assert _loaded_modules(*check) == [
        "generator.cli._app",
        "generator.cli._config",
        "generator.cli.generate_cmd",
    ]


def test_listed_help_is_each_command_first_help_line() -> None:
    ctx = click.Context(cli)
    for name, short in cli._lazy_help.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.help is not None
        assert short == command.help.strip().splitlines()[0], name


def test_quiet_prints_nothing_and_piped_output_has_no_progress(tmp_path: Path) -> None:
    schemas = _schemas(tmp_path)
    code, stdout, err = _run("generate", "--schemas", str(schemas), "--out", str(tmp_path / "a"))
    assert code == 0
    assert stdout.count("\n") == 1 and not err  # one summary line, no bar when not a terminal
    code, stdout, err = _run(
        "generate", "-q", "--schemas", str(schemas), "--out", str(tmp_path / "b")
    )
    assert (code, stdout, err) == (0, "", "")
    code, stdout, err = _run(
        "-q", "generate", "--schemas", str(schemas), "--out", str(tmp_path / "c")
    )
    assert (code, stdout, err) == (0, "", "")


def test_output_folders_that_would_take_user_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = _schemas(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "design.md").write_text("mine\n")
    before = _tree(tmp_path)
    for out in (".", str(tmp_path), str(schemas), str(schemas / "runwayml")):
        code, stdout, err = _run("generate", "--schemas", str(schemas), "--out", out)
        assert code == 2, (out, stdout, err)
        assert err.startswith("error: ") and err.count("\n") == 1, err
    assert _tree(tmp_path) == before

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine\n")
    code, _, err = _run("generate", "--schemas", str(schemas), "--out", str(occupied))
    assert code == 2
    assert "notes.txt" in err and "--force" in err
    assert [p.name for p in occupied.iterdir()] == ["notes.txt"]
    code, _, err = _run("generate", "--schemas", str(schemas), "--out", str(occupied), "--force")
    assert code == 0, err
    assert (occupied / "notes.txt").read_text() == "mine\n"
    assert (occupied / "docs/index.md").is_file()


@pytest.mark.parametrize(
    ("addition", "problem"),
    [("\n_BROKEN = undefined_name\n", "does not import: NameError"), ("\nreturn 1\n", "compile")],
)
def test_package_that_does_not_compile_or_import_is_refused(
    tmp_path: Path, addition: str, problem: str
) -> None:
    schemas = _schemas(tmp_path, SEEDS[:1])
    out = tmp_path / "generated"
    assert _generate(schemas, out)[0] == 0
    before = _tree(out)
    templates = tmp_path / "templates"
    (templates / "python").mkdir(parents=True)
    bundled = (default_templates_dir() / "python/model.py.jinja").read_text("utf-8")
    (templates / "python/model.py.jinja").write_text(bundled + addition, "utf-8")
    code, _, err = _generate(schemas, out, "--templates", str(templates))
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"error: {schemas / SEEDS[0]}.json: the generated ")
    assert problem in line
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        CACHE_DIR_NAME,
        "generated",
        "schemas",
        "templates",
    ]  # no staging left beside the output


def test_generated_tree_keeps_no_bytecode_from_the_import_check(tmp_path: Path) -> None:
    schemas = _schemas(tmp_path, SEEDS[:1])
    out = tmp_path / "generated"
    env_before = os.environ.get("PYTHONDONTWRITEBYTECODE")
    assert _generate(schemas, out)[0] == 0
    assert not list(out.rglob("__pycache__"))
    assert os.environ.get("PYTHONDONTWRITEBYTECODE") == env_before


_IRI = """
import sys
import generator
from jsonschema import Draft202012Validator, FormatChecker
print(getattr(sys.modules["rfc3987_syntax"], "__file__", None) is None)
v = Draft202012Validator({"format": "iri"}, format_checker=FormatChecker())
print(v.is_valid("http://例え.jp/a"), v.is_valid("http://exa mple"))
print(getattr(sys.modules["rfc3987_syntax"], "__file__", None) is None)
"""


def test_iri_grammar_is_built_only_when_an_iri_is_checked() -> None:
    pytest.importorskip("rfc3987_syntax")
    done = subprocess.run(
        [sys.executable, "-c", _IRI], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "True", "False", "False"]


def test_process_pool_gives_the_same_bytes_and_reports_bad_input(
    corpus: list[dict[str, Any]], tmp_path: Path
) -> None:
    schemas = tmp_path / "schemas"
    for entry in corpus[:POOL_THRESHOLD]:
        model = corpus_model(entry)
        path = model_path(schemas, model.model_id, model.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_model_file(model), encoding="utf-8")
    one = build(schemas, jobs=1)
    two = build(schemas, jobs=2)
    assert one.rendered == two.rendered == POOL_THRESHOLD
    assert one.files == two.files

    broken = next(schemas.rglob("*.json"))
    data = json.loads(broken.read_text("utf-8"))
    data["input_schema"]["properties"]["bad"] = {"type": "tensor"}
    broken.write_text(json.dumps(data), "utf-8")
    with pytest.raises(InputError) as caught:
        build(schemas, jobs=2)
    assert caught.value.file == str(broken)
    assert caught.value.pointer == "/input_schema/properties/bad/type"
