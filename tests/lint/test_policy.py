"""lint settings: per-rule and per-file ignores, severity overrides, the baseline, and this
repository's own configuration."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.config import LintConfig, read_config
from generator.lint import Finding, LintReport, Severity, lint_paths
from generator.lint.baseline import dump_baseline, read_baseline
from generator.lint.policy import build_policy
from tests.support.cli import run
from tests.support.paths import ROOT

FANTASY = "schemas/community/fantasy-portrait/image-to-video.json"
ALEPH = "schemas/runwayml/runway-aleph/video-to-video.json"
DREAMINA = "schemas/bytedance/dreamina-3-0/pro/image-to-video.json"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of this repository's schemas/ in a fresh project folder, as the current folder."""
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _configure(project: Path, lint_table: str) -> None:
    (project / "pyproject.toml").write_text(
        f"[tool.runcomfy-codegen.lint]\n{lint_table}", encoding="utf-8"
    )


def _findings(out: str) -> set[tuple[str, str, str, str]]:
    """(file, severity, code, pointer) of every finding of a JSON report."""
    return {
        (f["file"], f["severity"], f["code"], f["pointer"]) for f in json.loads(out)["findings"]
    }


def _codes_by_file(out: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for file, _, code, _ in _findings(out):
        found.setdefault(file, set()).add(code)
    return found


def test_without_settings_every_finding_is_reported(project: Path) -> None:
    code, out, _ = run("lint", "--format", "json")
    assert code == 1
    assert _codes_by_file(out) == {
        FANTASY: {"RC101", "RC301", "RC302"},
        ALEPH: {"RC301"},
        DREAMINA: {"RC401"},
    }


def test_rule_ignore_drops_that_rule_everywhere(project: Path) -> None:
    _configure(project, 'ignore = [{rule = "RC301", reason = "examples are upstream\'s"}]\n')
    code, out, _ = run("lint", "--format", "json")
    assert code == 0  # the errors were all RC301
    assert _codes_by_file(out) == {FANTASY: {"RC101", "RC302"}, DREAMINA: {"RC401"}}
    # The command line adds to the configured ignores.
    _, out, _ = run("lint", "--format", "json", "--ignore", "RC401")
    assert _codes_by_file(out) == {FANTASY: {"RC101", "RC302"}}


def test_per_file_ignore_drops_the_rules_in_matching_files_only(project: Path) -> None:
    _configure(
        project,
        'per-file-ignores = [{path = "schemas/community/*", rules = ["RC301", "RC101"], '
        'reason = "bare sample names"}]\n',
    )
    code, out, _ = run("lint", "--format", "json")
    assert code == 1  # aleph's RC301 is still there
    assert _codes_by_file(out) == {FANTASY: {"RC302"}, ALEPH: {"RC301"}, DREAMINA: {"RC401"}}


def test_per_file_globs_are_relative_to_the_config_not_the_current_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(
        project,
        f'per-file-ignores = [{{path = "{ALEPH}", rules = ["RC301"], reason = "empty url"}}]\n',
    )
    monkeypatch.chdir(project / "schemas" / "runwayml")
    code, out, _ = run("lint", "--format", "json", "runway-aleph")
    assert (code, _findings(out)) == (0, set())
    # A glob given on the command line is relative to the current folder.
    monkeypatch.chdir(project / "schemas")
    code, out, _ = run(
        "--isolated", "lint", "--format", "json", "--per-file-ignore", "runwayml/*:RC301", "."
    )
    assert code == 1
    assert "runwayml/runway-aleph/video-to-video.json" not in _codes_by_file(out)


def test_severity_override_changes_severity_and_exit_status(project: Path) -> None:
    target = DREAMINA  # RC401 only, a warning
    assert run("lint", target)[0] == 0
    _configure(
        project, 'severity = [{rule = "RC401", severity = "error", reason = "we ship it"}]\n'
    )
    code, out, _ = run("lint", "--format", "json", target)
    assert code == 1
    assert {s for _, s, _, _ in _findings(out)} == {"error"}
    # The flag wins over the configuration.
    code, out, _ = run("lint", "--format", "json", "--severity", "RC401=info", target)
    assert code == 0
    assert {s for _, s, _, _ in _findings(out)} == {"info"}
    sarif = json.loads(run("lint", "--format", "sarif", target)[1])
    assert {r["level"] for r in sarif["runs"][0]["results"]} == {"error"}


def test_bad_severity_and_per_file_flags_are_usage_errors(project: Path) -> None:
    assert run("lint", "--severity", "RC401")[0] == 2
    assert run("lint", "--severity", "RC401=fatal")[0] == 2
    assert run("lint", "--severity", "RC999=info")[0] == 2
    assert run("lint", "--per-file-ignore", "RC301")[0] == 2
    assert run("lint", "--per-file-ignore", "schemas/*:RC999")[0] == 2


def _written_baseline(name: str = "base.json", *args: str) -> str:
    """Write a baseline (``name`` relative to the current folder) and return its text."""
    code, _, err = run("lint", *args, "--write-baseline", name)
    assert code == 0, err
    return Path(name).read_text("utf-8")


def test_baseline_fails_on_new_findings_only(project: Path) -> None:
    code, out, _ = run("lint", "--write-baseline", "lint-baseline.json")
    assert (code, out) == (0, "lint-baseline.json: 9 findings in the baseline\n")

    code, out, _ = run("lint", "--baseline", "lint-baseline.json")
    assert code == 0
    assert out == "no findings in 4 files (9 known findings in the baseline not shown)\n"

    # A new error in another property of a baselined file: only it is reported, and it fails.
    model_file = project / ALEPH
    model = json.loads(model_file.read_text("utf-8"))
    model["example"]["ratio"] = "not-a-ratio"
    model_file.write_text(json.dumps(model, indent=2), encoding="utf-8")
    code, out, _ = run("lint", "--format", "json", "--baseline", "lint-baseline.json")
    assert code == 1
    assert _findings(out) == {(ALEPH, "error", "RC301", "/example/ratio")}
    assert json.loads(out)["baselined"] == 9


def test_configured_baseline_works_from_any_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("lint", "--write-baseline", "ci/baseline.json")
    _configure(project, 'baseline = "ci/baseline.json"\n')
    assert run("lint")[0] == 0
    monkeypatch.chdir(project / "schemas")
    code, out, _ = run("lint", ".")
    assert code == 0
    assert out.endswith("(9 known findings in the baseline not shown)\n")
    # Without the baseline the same run fails: the baseline did the work.
    assert run("--isolated", "lint", ".")[0] == 1


def test_a_finding_missing_from_the_baseline_is_new(project: Path) -> None:
    baseline = json.loads(_written_baseline())
    entry = next(e for e in baseline["findings"] if e["code"] == "RC301")
    baseline["findings"].remove(entry)
    (project / "b.json").write_text(json.dumps(baseline), encoding="utf-8")
    code, out, _ = run("lint", "--format", "json", "--baseline", "b.json")
    assert code == 1
    assert _findings(out) == {(entry["file"], "error", "RC301", entry["pointer"])}


def test_write_baseline_is_deterministic_and_portable(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _written_baseline()
    assert _written_baseline() == first
    # From another folder, naming the files differently: the same bytes.
    monkeypatch.chdir(project / "schemas")
    assert _written_baseline("../base.json", ".") == first
    monkeypatch.chdir(project)
    assert _written_baseline("base.json", str(project / "schemas")) == first

    document = json.loads(first)
    assert document["version"] == 1
    entries = document["findings"]
    keys = [(e["file"], e["pointer"], e["code"]) for e in entries]
    assert keys == sorted(keys) and len(entries) == 9
    assert all(not Path(e["file"]).is_absolute() for e in entries)
    assert str(project) not in first
    assert "version" not in json.dumps(entries)  # no tool version or date: no churn


def test_write_baseline_keeps_ignores_out(project: Path) -> None:
    _configure(project, 'ignore = [{rule = "RC101", reason = "float is number"}]\n')
    entries = json.loads(_written_baseline())["findings"]
    assert len(entries) == 7 and all(e["code"] != "RC101" for e in entries)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON: Expecting property name enclosed in double quotes (line 1"),
        ('{"version": 2}', "b.json#/version: not a lint baseline of format version 1"),
        ("[]", "b.json: not a lint baseline of format version 1"),
        ('{"version": 1}', "b.json#/findings: the baseline has no findings list"),
        ('{"version": 1, "findings": [{"code": 1}]}', "b.json#/findings/0: each entry needs"),
        # valid JSON Python cannot hold: internal errors naming no file, before
        ("[" * 100_000 + "]" * 100_000, "b.json: not usable JSON: nested too deeply"),
        ('{"version": ' + "1" * 5000 + "}", "b.json: not usable JSON: a number with too many"),
    ],
)
def test_unusable_baseline_is_a_one_line_error(project: Path, content: str, message: str) -> None:
    (project / "b.json").write_text(content, encoding="utf-8")
    code, out, err = run("lint", "--baseline", "b.json")
    assert (code, out) == (2, "")
    assert message in err and err.startswith("error: b.json") and err.count("\n") == 1
    code, _, err = run("lint", "--baseline", "missing.json")
    assert code == 2 and "no such baseline file" in err


def test_a_baseline_without_end_is_refused_at_its_limit(project: Path) -> None:
    code, out, err = run("lint", "--baseline", "/dev/zero")  # was read into memory without end
    assert (code, out) == (2, "")
    assert err.startswith("error: /dev/zero: the baseline is larger than") and err.count("\n") == 1


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
@pytest.mark.parametrize("target", [ALEPH, "./" + ALEPH, "seed.txt"])
def test_a_report_never_overwrites_a_linted_file(
    project: Path, seed_pages: list[Path], option: str, target: str
) -> None:
    """`lint -o schemas/x.json` replaced the model file with the report (and exited 1)."""
    shutil.copy(seed_pages[1], project / "seed.txt")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    code, out, err = run("lint", "schemas", "seed.txt", option, target)
    assert (code, out) == (2, "")
    assert err == f"error: {Path(target)}: is one of the linted files; choose another {option}\n"
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


# This repository's own configuration


def test_this_repository_lints_clean_with_its_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run("lint")
    assert code == 0, out + err
    assert out.endswith("in 4 files\n")
    assert " error " not in out


def test_every_configured_ignore_has_a_reason_and_still_matches_a_finding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An ignore that no longer hides anything should be removed, not kept as noise."""
    monkeypatch.chdir(ROOT)
    config = read_config(ROOT / "pyproject.toml")
    lint = config.lint
    assert lint.ignore or lint.per_file_ignores
    _, out, _ = run("--isolated", "lint", "--format", "json", "--fail-on", "info")
    everything = json.loads(out)["findings"]
    for ignore in lint.ignore:
        assert ignore.reason.strip()
        assert any(f["code"] == ignore.rule for f in everything), ignore
    report = lint_paths([Path("schemas")])
    for entry in lint.per_file_ignores:
        assert entry.reason.strip()
        alone = build_policy(LintConfig(per_file_ignores=(entry,)), config.root)
        hidden = len(report.findings) - len(alone.apply(report.findings))
        assert hidden > 0, entry


def test_baseline_counts_findings_with_the_same_identity(tmp_path: Path) -> None:
    twice = [
        Finding("RC301", Severity.ERROR, f"message {i}", "a.json", "/example/x", "hint")
        for i in range(2)
    ]
    path = tmp_path / "b.json"
    path.write_text(dump_baseline(twice[:1], path), encoding="utf-8")
    report = read_baseline(path).apply(LintReport(("a.json",), tuple(twice)))
    assert (len(report.findings), report.baselined) == (1, 1)
