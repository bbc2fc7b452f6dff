"""The click group and the one place where input errors become exit status 2."""

from __future__ import annotations

from typing import Any

import click

from generator.errors import InputError

__all__ = ["EXIT_INPUT_ERROR", "cli"]

#: Exit status for a usage error or a page/schema that cannot be read (click uses 2 as well).
EXIT_INPUT_ERROR = 2


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            raise click.exceptions.Exit(EXIT_INPUT_ERROR) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="runcomfy-codegen")
def cli() -> None:
    """Turn RunComfy's documented model schemas into JSON Schema, Python SDKs and docs."""
