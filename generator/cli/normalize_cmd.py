"""``runcomfy-codegen normalize SCHEMA_FILE``: print JSON Schema 2020-12 or the IR."""

from __future__ import annotations

import json
from pathlib import Path

import click

from generator.cli._app import verbosity
from generator.schema.documented import load_model_file
from generator.schema.ir_json import spec_to_json
from generator.schema.normalize import normalize

__all__ = ["normalize_command"]


@click.command("normalize")
@click.argument("schema_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--part",
    type=click.Choice(["input", "output"]),
    default="input",
    show_default=True,
    help="Which schema to print.",
)
@click.option("--ir", is_flag=True, help="Print the typed intermediate form instead.")
def normalize_command(schema_file: Path, part: str, ir: bool) -> None:
    """Normalize a model file (schemas/<model_id>.json) to JSON Schema draft 2020-12.

    Findings that do not stop normalization (a default or the page's example failing the
    schema, an unknown format, a type read from enum values) are printed to stderr as
    warnings.
    """
    spec = normalize(load_model_file(schema_file))
    for diagnostic in spec.diagnostics if verbosity() >= 0 else ():  # -q: errors only
        click.echo(
            f"warning: {schema_file}#{diagnostic.pointer}: {diagnostic.message} "
            f"[{diagnostic.code}]",
            err=True,
        )
    if ir:
        document = spec_to_json(spec)
    else:
        document = spec.input_schema if part == "input" else spec.output_schema
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))
