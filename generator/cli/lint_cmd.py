"""``runcomfy-codegen lint [PATH...]``: findings with stable codes; exit 0, 1 or 2."""

from __future__ import annotations

from pathlib import Path

import click

from generator.fsutil import write_atomically
from generator.lint import RULES, Severity, lint_paths
from generator.lint.report import render_json, render_sarif, render_text

__all__ = ["EXIT_FINDINGS", "lint_command"]

#: Findings at or above ``--fail-on``.
EXIT_FINDINGS = 1
_RENDER = {"text": render_text, "json": render_json, "sarif": render_sarif}


def _check_codes(_ctx: click.Context, _param: click.Parameter, codes: tuple[str, ...]) -> set[str]:
    known = {r.code for r in RULES}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise click.BadParameter(f"unknown rule code {unknown[0]!r} (see docs/lint-rules.md)")
    return set(codes)


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
    type=click.Choice([s.value for s in reversed(Severity)]),
    default=Severity.ERROR.value,
    show_default=True,
    help="Exit 1 when a finding has this severity or a higher one.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODE",
    callback=_check_codes,
    help="Skip a rule (repeatable), e.g. --ignore RC503.",
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
    output: Path | None,
) -> None:
    """Lint documented schemas: model files, folders of them (default: schemas/) or saved pages.

    Exit status: 0 when nothing is at or above --fail-on, 1 when something is, 2 on a usage
    error or a file that cannot be read at all.
    """
    report = lint_paths(list(paths) or [Path("schemas")], ignore)
    rendered = _RENDER[output_format](report)
    if output is None:
        click.echo(rendered, nl=False)
    else:
        write_atomically(output, rendered)
    if report.fails(Severity(fail_on)):
        raise click.exceptions.Exit(EXIT_FINDINGS)
