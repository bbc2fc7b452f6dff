"""``runcomfy-codegen lint [PATH...]``: findings with stable codes; exit 0, 1 or 2."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli._config import current_config
from generator.errors import InputError
from generator.fsutil import write_atomically
from generator.lint import RULES, Severity, lint_paths
from generator.lint.baseline import dump_baseline, read_baseline
from generator.lint.policy import build_policy
from generator.lint.report import render_json, render_sarif, render_text

__all__ = ["EXIT_FINDINGS", "lint_command"]

#: Findings at or above ``--fail-on``.
EXIT_FINDINGS = 1
_RENDER = {"text": render_text, "json": render_json, "sarif": render_sarif}
_SEVERITIES = [s.value for s in reversed(Severity)]


def _refuse_linted_file(target: Path, option: str, linted: tuple[str, ...]) -> None:
    """A report or baseline written over a model file or page it was made from destroys it."""
    if target.resolve() in {Path(file).resolve() for file in linted}:
        raise InputError(str(target), f"is one of the linted files; choose another {option}")


def _known(code: str) -> str:
    if code not in {r.code for r in RULES}:
        raise click.BadParameter(f"unknown rule code {code!r} (see docs/lint-rules.md)")
    return code


def _check_codes(_ctx: click.Context, _param: click.Parameter, codes: tuple[str, ...]) -> set[str]:
    return {_known(code) for code in codes}


def _check_severities(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, Severity]:
    overrides = {}
    for value in values:
        code, equals, level = value.partition("=")
        if not equals or level not in _SEVERITIES:
            raise click.BadParameter(f"{value!r} is not CODE=LEVEL, LEVEL one of {_SEVERITIES}")
        overrides[_known(code)] = Severity(level)
    return overrides


def _check_per_file(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> list[tuple[str, list[str]]]:
    rules = []
    for value in values:
        pattern, colon, codes = value.rpartition(":")
        if not colon or not pattern or not codes:
            raise click.BadParameter(f"{value!r} is not GLOB:CODE[,CODE...]")
        rules.append((pattern, [_known(code) for code in codes.split(",")]))
    return rules


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(_RENDER)),
    default="text",
    show_default=True,
    help="text for people, json (versioned) for scripts, sarif (2.1.0) for code scanning.",
)
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITIES),
    default=Severity.ERROR.value,
    show_default=True,
    help="Exit 1 when a finding has this severity or a higher one.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODE",
    callback=_check_codes,
    help="Skip a rule (repeatable), e.g. --ignore RC503; added to the configured ignores.",
)
@click.option(
    "--per-file-ignore",
    "per_file",
    multiple=True,
    metavar="GLOB:CODES",
    callback=_check_per_file,
    help="Skip rules in matching files (repeatable), e.g. 'schemas/community/*:RC301,RC302'.",
)
@click.option(
    "--severity",
    multiple=True,
    metavar="CODE=LEVEL",
    callback=_check_severities,
    help="Report a rule at another severity (repeatable), e.g. RC401=info.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Leave out the findings this baseline file knows: only new ones count.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every current finding to this baseline file and exit 0.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
def lint_command(
    paths: tuple[Path, ...],
    output_format: str,
    fail_on: str,
    ignore: set[str],
    per_file: list[tuple[str, list[str]]],
    severity: dict[str, Severity],
    baseline: Path | None,
    write_baseline: Path | None,
    output: Path | None,
) -> None:
    """Lint documented schemas: model files, folders of them (default: schemas/) or saved pages.

    Ignores, severity overrides, the baseline and --fail-on can also be set in
    [tool.runcomfy-codegen.lint] (docs/configuration.md).

    Exit status: 0 when nothing is at or above --fail-on, 1 when something is, 2 on a usage
    error or a file that cannot be read at all.
    """
    config = current_config()
    policy = build_policy(config.lint, config.root, ignore, severity, per_file)
    report = lint_paths(list(paths) or [config.schemas_dir or Path("schemas")], policy)
    if write_baseline is not None:
        _refuse_linted_file(write_baseline, "--write-baseline", report.files)
        write_atomically(write_baseline, dump_baseline(report.findings, write_baseline))
        count = len(report.findings)
        click.echo(f"{write_baseline}: {count} finding{'' if count == 1 else 's'} in the baseline")
        return
    if baseline is not None:
        report = read_baseline(baseline).apply(report)
    rendered = _RENDER[output_format](report)
    if output is None:
        click.echo(rendered, nl=False)
    else:
        _refuse_linted_file(output, "--output", report.files)
        write_atomically(output, rendered)
    if report.fails(Severity(fail_on)):
        raise click.exceptions.Exit(EXIT_FINDINGS)
