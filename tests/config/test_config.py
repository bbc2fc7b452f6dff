"""[tool.runcomfy-codegen]: discovery, precedence (flag > file > default), and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli._config import default_map
from generator.config import find_config, load_config, read_config
from generator.errors import InputError
from generator.lint import Severity
from tests.support.cli import run

MODEL_ID = "acme/widget/text-to-image"
_INPUT = {"type": "object", "properties": {"prompt": {"type": "string"}}}
_OUTPUT = {"output": {"type": "object", "properties": {"image": {"type": "string"}}}}


def _page(folder: Path) -> Path:
    page = folder / "page.txt"
    page.write_text(
        f"curl --url https://model-api.runcomfy.net/v1/models/{MODEL_ID} --data '{{}}'"
        f"{json.dumps(_INPUT)}{json.dumps(_OUTPUT)}",
        encoding="utf-8",
    )
    return page


def _pyproject(folder: Path, body: str, table: str = "[tool.runcomfy-codegen]") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\n\n{table}\n{body}', encoding="utf-8")
    return path


def _imported_to(stdout: str) -> str:
    """Where ``import --dry-run`` would write the model: ``new: ID -> PATH (from page.txt)``."""
    assert stdout.startswith(f"new: {MODEL_ID} -> "), stdout
    return stdout.split(" -> ")[1].split(" (from ")[0]


# Discovery


def test_nearest_pyproject_with_the_table_is_found_walking_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _pyproject(tmp_path / "project", 'schemas-dir = "models"\n')
    # A pyproject.toml without the table (a sub-package's) is passed over, as ruff does.
    (tmp_path / "project" / "sub").mkdir()
    (tmp_path / "project" / "sub" / "pyproject.toml").write_text('[project]\nname = "sub"\n')
    deep = tmp_path / "project" / "sub" / "deeper"
    deep.mkdir()
    assert find_config(deep) == project
    monkeypatch.chdir(deep)
    config = load_config()
    assert config.file == Path("../../pyproject.toml")
    # Paths in the file are relative to the file's folder, shown relative to where we are.
    assert config.schemas_dir == Path("../../models")


def test_no_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config(tmp_path) is None
    code, out, _ = run("import", "--dry-run", str(_page(tmp_path)))
    assert code == 0
    assert _imported_to(out) == f"schemas/{MODEL_ID}.json"


def test_isolated_reads_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pyproject(tmp_path, 'schemas-dir = "models"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(isolated=True).file is None
    assert load_config().schemas_dir == Path("models")
    code, out, _ = run("--isolated", "import", "--dry-run", str(_page(tmp_path)))
    assert (code, _imported_to(out)) == (0, f"schemas/{MODEL_ID}.json")


def test_config_flag_names_a_file_pyproject_or_plain_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pyproject(tmp_path, 'schemas-dir = "discovered"\n')
    elsewhere = tmp_path / "settings"
    elsewhere.mkdir()
    plain = elsewhere / "codegen.toml"
    plain.write_text('schemas-dir = "plain"\n', encoding="utf-8")
    named = _pyproject(tmp_path / "other", 'schemas-dir = "named"\n')
    monkeypatch.chdir(tmp_path)
    page = str(_page(tmp_path))

    _, out, _ = run("--config", str(plain), "import", "--dry-run", page)
    assert _imported_to(out) == f"settings/plain/{MODEL_ID}.json"
    _, out, _ = run("--config", str(named), "import", "--dry-run", page)
    assert _imported_to(out) == f"other/named/{MODEL_ID}.json"


# Precedence: flag > configuration > default


def test_flag_beats_config_beats_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pyproject(tmp_path, 'schemas-dir = "from-config"\n')
    monkeypatch.chdir(tmp_path)
    page = str(_page(tmp_path))

    _, out, _ = run("import", "--dry-run", page)
    assert _imported_to(out) == f"from-config/{MODEL_ID}.json"
    _, out, _ = run("import", "--dry-run", "--schemas-dir", "from-flag", page)
    assert _imported_to(out) == f"from-flag/{MODEL_ID}.json"
    assert not (tmp_path / "from-config").exists()  # --dry-run


def test_configured_defaults_reach_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pyproject(
        tmp_path,
        'schemas-dir = "models"\nout-dir = "build/sdk"\ntemplates-dir = "my-templates"\n'
        'base-url = "http://127.0.0.1:9"\n[tool.runcomfy-codegen.lint]\nfail-on = "warning"\n',
    )
    monkeypatch.chdir(tmp_path)
    # click shows the configured values as the defaults in --help.
    _, generate_help, _ = run("generate", "--help")
    assert "[default: models]" in generate_help and "[default: build/sdk]" in generate_help
    assert "[default: models]" in run("serve", "--help")[1]
    assert "[default: warning]" in run("lint", "--help")[1]
    assert "[default: my-templates]" in generate_help
    run_help = " ".join(run("run", "--help")[1].split())  # as one line: click wraps the text
    assert "[default: build/sdk/python]" in run_help
    assert "[default: http://127.0.0.1:9]" in run_help
    assert "[default: http://127.0.0.1:9]" in " ".join(run("pull", "--help")[1].split())

    config = load_config()
    assert default_map(config) == {
        "generate": {
            "schemas_dir": Path("models"),
            "out_dir": Path("build/sdk"),
            "templates_dir": Path("my-templates"),
        },
        "import": {"schemas_dir": Path("models")},
        "pull": {"schemas_dir": Path("models"), "base_url": "http://127.0.0.1:9"},
        "serve": {"schemas_dir": Path("models")},
        "run": {"package_dir": Path("build/sdk/python"), "base_url": "http://127.0.0.1:9"},
        "lint": {"fail_on": "warning"},
    }


def test_generate_reads_schemas_and_out_from_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = run("--isolated", "import", str(_page(tmp_path)), "--schemas-dir", "models")
    assert code == 0
    _pyproject(tmp_path, 'schemas-dir = "models"\nout-dir = "sdk"\n')
    code, out, err = run("generate")
    assert code == 0, err
    assert out.startswith("sdk: ")
    assert (tmp_path / "sdk/schemas" / MODEL_ID / "input.schema.json").is_file()
    assert not (tmp_path / "generated").exists()


def test_lint_default_path_is_the_configured_schemas_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run("--isolated", "import", str(_page(tmp_path)), "--schemas-dir", "models")
    _pyproject(tmp_path, 'schemas-dir = "models"\n')
    code, out, _ = run("lint")
    assert code == 0
    assert out.endswith("in 1 file\n")
    assert run("--isolated", "lint")[0] == 2  # no schemas/ here


# Refusals: one line naming the file and the key, exit 2, nothing run


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'schema-dir = "x"\n',
            "tool.runcomfy-codegen.schema-dir: unknown key; did you mean 'schemas-dir'?",
        ),
        (
            'colour = "x"\n',
            "tool.runcomfy-codegen.colour: unknown key (known: base-url, distribution-name, ",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nbaseline-file = "b.json"\n',
            "tool.runcomfy-codegen.lint.baseline-file: unknown key; did you mean 'baseline'?",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nignore = [{rule = "RC101", reason = "r", why = "w"}]\n',
            "tool.runcomfy-codegen.lint.ignore[0].why: unknown key",
        ),
    ],
)
def test_unknown_key_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    _pyproject(tmp_path, body)
    monkeypatch.chdir(tmp_path)
    code, out, err = run("import", "--dry-run", str(_page(tmp_path)))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: pyproject.toml: {message}"), err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "schemas-dir = 3\n",
            "tool.runcomfy-codegen.schemas-dir: must be a string, not an integer",
        ),
        ('out-dir = ["a"]\n', "tool.runcomfy-codegen.out-dir: must be a string, not an array"),
        ('templates-dir = ""\n', "tool.runcomfy-codegen.templates-dir: must not be empty"),
        (
            'base-url = "ftp://h"\n',
            "tool.runcomfy-codegen.base-url: must be an absolute http(s) URL",
        ),
        ('lint = "strict"\n', "tool.runcomfy-codegen.lint: must be a table, not a string"),
        (
            '[tool.runcomfy-codegen.lint]\nfail-on = "fatal"\n',
            "tool.runcomfy-codegen.lint.fail-on: must be one of error, warning, info, not 'fatal'",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nignore = "RC101"\n',
            "tool.runcomfy-codegen.lint.ignore: must be an array, not a string",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nignore = ["RC101"]\n',
            "tool.runcomfy-codegen.lint.ignore[0]: must be a table, not a string",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nignore = [{rule = "RC101"}]\n',
            "tool.runcomfy-codegen.lint.ignore[0]: needs a 'reason': one line saying why",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nignore = [{rule = "RC101", reason = """a\nb"""}]\n',
            "tool.runcomfy-codegen.lint.ignore[0].reason: must be one line",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nignore = [{rule = "RC999", reason = "r"}]\n',
            "tool.runcomfy-codegen.lint.ignore[0].rule: unknown rule code 'RC999'",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nper-file-ignores = [{path = "a/*", rules = [], '
            'reason = "r"}]\n',
            "tool.runcomfy-codegen.lint.per-file-ignores[0].rules: must name at least one rule",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nper-file-ignores = [{path = "a/*", rules = ["RC301", '
            '"RC9"], reason = "r"}]\n',
            "tool.runcomfy-codegen.lint.per-file-ignores[0].rules[1]: unknown rule code 'RC9'",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nper-file-ignores = [{rules = ["RC301"], '
            'reason = "r"}]\n',
            "tool.runcomfy-codegen.lint.per-file-ignores[0]: needs 'path'",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nseverity = [{rule = "RC401", severity = "loud", '
            'reason = "r"}]\n',
            "tool.runcomfy-codegen.lint.severity[0].severity: must be one of error, warning, info",
        ),
        (
            '[tool.runcomfy-codegen.lint]\nseverity = [{rule = "RC401", severity = "info"}]\n',
            "tool.runcomfy-codegen.lint.severity[0]: needs a 'reason'",
        ),
    ],
)
def test_wrongly_typed_value_is_an_error_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    _pyproject(tmp_path, body)
    monkeypatch.chdir(tmp_path)
    code, out, err = run("lint")
    assert (code, out) == (2, "")
    assert err.startswith(f"error: pyproject.toml: {message}"), err
    assert err.count("\n") == 1


def test_broken_toml_and_missing_files_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.runcomfy-codegen\n", encoding="utf-8")
    code, _, err = run("lint")
    assert code == 2 and err.startswith("error: pyproject.toml: not valid TOML: ")
    assert err.count("\n") == 1

    code, _, err = run("--config", "nowhere.toml", "lint")
    assert (code, err) == (2, "error: nowhere.toml: no such configuration file\n")

    other = _pyproject(tmp_path / "other", "", table="[tool.ruff]")
    code, _, err = run("--config", str(other), "lint")
    assert (code, err) == (2, "error: other/pyproject.toml: has no [tool.runcomfy-codegen] table\n")


def test_config_files_python_cannot_hold_or_without_end_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    code, _, err = run("--config", "deep.toml", "lint")
    assert (code, err) == (2, "error: deep.toml: not usable TOML: nested too deeply\n")

    huge = tmp_path / "huge.toml"
    huge.write_text("# padding\n" * 500_000, encoding="utf-8")
    code, _, err = run("--config", "huge.toml", "lint")
    assert code == 2 and err.startswith("error: huge.toml: the configuration is larger than")

    (tmp_path / "latin1.toml").write_bytes(b'a = "\xe9"\n')
    code, _, err = run("--config", "latin1.toml", "lint")
    assert code == 2 and err.startswith("error: latin1.toml: not valid TOML: not UTF-8")
    assert err.count("\n") == 1


def test_read_config_gives_typed_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = _pyproject(
        tmp_path,
        '[tool.runcomfy-codegen.lint]\nbaseline = "ci/lint-baseline.json"\n'
        'ignore = [{rule = "RC101", reason = "float is number"}]\n'
        'per-file-ignores = [{path = "schemas\\\\a\\\\*.json", rules = ["RC301"], reason = "r"}]\n'
        'severity = [{rule = "RC401", severity = "info", reason = "r"}]\n',
    )
    lint = read_config(path).lint
    assert lint.baseline == Path("ci/lint-baseline.json")
    assert [(i.rule, i.reason) for i in lint.ignore] == [("RC101", "float is number")]
    assert [(i.path, i.rules) for i in lint.per_file_ignores] == [("schemas/a/*.json", ("RC301",))]
    assert [(o.rule, o.severity) for o in lint.severity] == [("RC401", Severity.INFO)]
    with pytest.raises(InputError):
        read_config(tmp_path / "missing" / "pyproject.toml")
