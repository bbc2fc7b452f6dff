"""``runcomfy-codegen import PAGE...``: documentation pages -> schemas/<model_id>.json."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli._app import verbosity
from generator.cli._config import current_config
from generator.cli._schema_diff import print_schema_diff
from generator.errors import InputError
from generator.output.folders import check_model_files_folder
from generator.pages.store import apply_imports, plan_imports, read_page

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
    check_model_files_folder(schemas_dir, current_config().out_dir)
    results = plan_imports([read_page(page) for page in pages], schemas_dir)
    if not dry_run:
        try:
            apply_imports(results)
        except OSError as exc:
            where = exc.filename or schemas_dir
            raise InputError(str(where), f"cannot write: {exc.strerror or exc}") from None
    if verbosity() < 0:  # -q: errors only
        return
    for result in results:
        model = result.model
        line = f"{result.outcome}: {model.model_id} -> {result.path} (from {model.source})"
        if result.summary:
            line += f": {result.summary}"
        click.echo(line)
        if result.outcome == "changed":
            assert result.previous is not None
            print_schema_diff(result.previous, result.model)
