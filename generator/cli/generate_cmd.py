"""``runcomfy-codegen generate``: schemas/ -> generated/ (JSON Schemas, Python package, docs)."""

from __future__ import annotations

from pathlib import Path

import click

from generator.output.build import build_outputs
from generator.output.tree import diff_tree, write_tree

__all__ = ["EXIT_DRIFT", "generate_command"]

#: ``--check`` exit status when the output folder is not what the schemas and templates give.
EXIT_DRIFT = 1


@click.command("generate")
@click.option(
    "--schemas",
    "schemas_dir",
    default=Path("schemas"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of model files (<model_id>.json), as written by import.",
)
@click.option(
    "--out",
    "out_dir",
    default=Path("generated"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; print a unified diff of what would change and exit 1 if anything would.",
)
@click.option(
    "--templates",
    "templates_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of templates that override the bundled ones by relative path "
    "(e.g. python/model.py.jinja).",
)
def generate_command(
    schemas_dir: Path, out_dir: Path, check: bool, templates_dir: Path | None
) -> None:
    """Generate normalized schemas, the runcomfy-models package and docs for every model.

    Everything is built in memory first: an unusable schema or template writes nothing.
    """
    files = build_outputs(schemas_dir, templates_dir, out_dir)
    if check:
        diff = diff_tree(out_dir, files)
        if diff.clean:
            click.echo(f"{out_dir} is up to date ({len(files)} files)")
            return
        click.echo(diff.text, nl=False)
        click.echo(
            f"{out_dir} is out of date: {len(diff.added)} added, {len(diff.changed)} changed, "
            f"{len(diff.removed)} removed; run `runcomfy-codegen generate` (make generate)",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_DRIFT)
    diff = write_tree(out_dir, files)
    click.echo(
        f"{out_dir}: {len(files)} files ({len(diff.added)} added, {len(diff.changed)} changed, "
        f"{len(diff.removed)} removed)"
    )
