"""The classified schema diff that ``import`` and ``pull`` print for a changed model."""

from __future__ import annotations

import click

from generator.diff import compare
from generator.diff.report import render_text
from generator.errors import InputError
from generator.schema.documented import DocumentedModel
from generator.schema.normalize import normalize

__all__ = ["print_schema_diff"]


def print_schema_diff(previous: DocumentedModel, model: DocumentedModel) -> None:
    """The classified schema changes and semver bump (``diff``), on stderr: stdout keeps one
    line per model for scripts."""
    try:
        changes = compare(normalize(previous), normalize(model))
    except InputError as exc:
        click.echo(f"  schema diff unavailable: {exc}", err=True)
        return
    click.echo(render_text(model.model_id, changes), err=True, nl=False)
