"""``runcomfy-codegen import PAGE...``: documentation pages -> schemas/<model_id>.json."""

from __future__ import annotations

from pathlib import Path

import click

from generator.diff import compare
from generator.diff.report import render_text
from generator.errors import InputError
from generator.pages.store import ImportResult, apply_imports, plan_imports, read_page
from generator.schema.normalize import normalize

__all__ = ["import_command"]


@click.command("import")
@click.argument("pages", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--schemas-dir",
    default=Path("schemas"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where model files are written, one per model: <model_id>.json.",
)
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
def import_command(pages: tuple[Path, ...], schemas_dir: Path, dry_run: bool) -> None:
    """Import saved RunComfy model pages (any language, any layout).

    Every page is read before anything is written: one bad page writes nothing.
    """
    results = plan_imports([read_page(page) for page in pages], schemas_dir)
    if not dry_run:
        try:
            apply_imports(results)
        except OSError as exc:
            where = exc.filename or schemas_dir
            raise InputError(str(where), f"cannot write: {exc.strerror or exc}") from None
    for result in results:
        model = result.model
        line = f"{result.outcome}: {model.model_id} -> {result.path} (from {model.source})"
        if result.summary:
            line += f": {result.summary}"
        click.echo(line)
        if result.outcome == "changed":
            _print_schema_diff(result)


def _print_schema_diff(result: ImportResult) -> None:
    """The classified schema changes and semver bump (``diff``), on stderr: stdout keeps one
    line per page for scripts."""
    assert result.previous is not None
    try:
        changes = compare(normalize(result.previous), normalize(result.model))
    except InputError as exc:
        click.echo(f"  schema diff unavailable: {exc}", err=True)
        return
    click.echo(render_text(result.model.model_id, changes), err=True, nl=False)
