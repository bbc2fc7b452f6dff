"""``runcomfy-codegen diff OLD NEW``: classify schema changes and print the semver bump."""

from __future__ import annotations

from pathlib import Path

import click

from generator.diff import Category, Change, compare
from generator.diff.catalog import (
    compare_catalogs,
    render_catalog_json,
    render_catalog_markdown,
    render_catalog_text,
)
from generator.diff.report import render_json, render_markdown, render_text
from generator.diff.sources import load_spec
from generator.errors import InputError
from generator.schema.folder import load_folder

__all__ = ["EXIT_FAILED", "diff_command"]

#: Changes at or above ``--fail-on``.
EXIT_FAILED = 1


@click.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for people, json (versioned) for scripts, markdown for pull requests.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "any"]),
    help="Exit 1 on a breaking change (breaking) or on any change (any).",
)
def diff_command(old: str, new: str, output_format: str, fail_on: str | None) -> None:
    """Compare two versions of a model's documented schema, or two catalogs.

    OLD and NEW are model files (schemas/<model_id>.json), saved pages, or git:REV:path
    (read with `git show REV:path`, e.g. git:origin/main:schemas/a/b/c.json). When both are
    folders of model files, whole catalogs are compared: added, removed (breaking) and changed
    models, with one semver bump.

    Exit status: 0, or 1 with --fail-on when such changes exist; 2 on a usage error or a
    schema that cannot be read or normalized.
    """
    if Path(old).is_dir() or Path(new).is_dir():
        changes = _diff_catalogs(old, new, output_format)
    else:
        old_spec, new_spec = load_spec(old), load_spec(new)
        changes = compare(old_spec, new_spec)
        model_id = new_spec.model_id
        if output_format == "json":
            click.echo(render_json(model_id, old, new, changes), nl=False)
        elif output_format == "markdown":
            click.echo(render_markdown(model_id, changes), nl=False)
        else:
            click.echo(render_text(model_id, changes), nl=False)
    failing = (
        changes if fail_on == "any" else [c for c in changes if c.category is Category.BREAKING]
    )
    if fail_on and failing:
        raise click.exceptions.Exit(EXIT_FAILED)


def _diff_catalogs(old: str, new: str, output_format: str) -> list[Change]:
    for side in (old, new):
        if not Path(side).is_dir():
            raise InputError(side, "not a folder: OLD and NEW must both be folders of model files")
    diff = compare_catalogs(load_folder(Path(old)), load_folder(Path(new)))
    if output_format == "json":
        click.echo(render_catalog_json(old, new, diff), nl=False)
    elif output_format == "markdown":
        click.echo(render_catalog_markdown(diff), nl=False)
    else:
        click.echo(render_catalog_text(diff), nl=False)
    return diff.changes
