"""``runcomfy-codegen pull``: model files from RunComfy's model catalog API (docs/pull.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from generator.catalog.client import CatalogClient
from generator.catalog.entry import CatalogEntry, read_entry
from generator.catalog.sync import (
    CHANGED,
    GONE,
    NEW,
    REMOVED,
    UNCHANGED,
    Outcome,
    Selection,
    plan_pull,
    read_stored,
)
from generator.cli._app import verbosity
from generator.cli._config import current_config
from generator.cli._schema_diff import print_schema_diff
from generator.diff import compare
from generator.diff.report import render_text
from generator.errors import InputError
from generator.fsutil import apply_batch
from generator.output.folders import check_model_files_folder
from generator.runtime import DEFAULT_BASE_URL, TOKEN_ENV, RetryPolicy
from generator.schema.documented import check_model_id, dump_model_file
from generator.schema.normalize import normalize

__all__ = ["RETRY", "pull_command"]

#: Up to 4 retries of a failed read, 0.5 s doubling to 8 s, or what ``Retry-After`` says
#: (at most 60 s; a server asking for longer fails the pull at once).
RETRY = RetryPolicy(max_retries=4, initial_backoff=0.5, max_backoff=8.0, max_retry_after=60.0)


def _token() -> str:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise InputError(TOKEN_ENV, "not set: pull reads the catalog with your API token")
    if not all(33 <= ord(char) < 127 for char in token):
        # Never shown: say only what is wrong with it.
        raise InputError(TOKEN_ENV, "holds characters that cannot be sent in an HTTP header")
    return token


def _fetch(client: CatalogClient, selection: Selection, prune: bool) -> list[CatalogEntry]:
    """Exact ids are fetched one by one; anything else (and --prune) reads the whole catalog."""
    exact = None if prune else selection.exact_ids()
    if exact is not None:
        entries = []
        for model_id in exact:
            check_model_id(model_id, "pull")  # before it becomes part of a URL
            where = f"GET {client.base_url}/v1/models/{model_id}"
            entry = read_entry(client.get_model(model_id), where)
            if entry.model_id != model_id:
                raise InputError(where, f"asked for {model_id!r}, got {entry.model_id!r}")
            entries.append(entry)
        return entries
    where = f"GET {client.base_url}/v1/models"
    return [
        read_entry(data, where, f"/models/{index}")
        for index, data in enumerate(client.list_models(include_schema=True))
    ]


def _report(outcome: Outcome) -> None:
    """One line per model on stdout (like ``import``); classified diffs on stderr."""
    if verbosity() < 0:  # -q: errors only
        return
    line = f"{outcome.status}: {outcome.model_id} -> {outcome.path}"
    if outcome.model is not None:
        line += f" (from {outcome.model.source})"
    if outcome.status == CHANGED:
        line += f": {outcome.summary}"
    elif outcome.status == REMOVED:
        line += " (gone from the catalog)"
    elif outcome.status == GONE:
        line += " (gone from the catalog; --prune removes it)"
    click.echo(line)
    if outcome.status == CHANGED and outcome.previous is not None and outcome.model is not None:
        print_schema_diff(outcome.previous, outcome.model)
    if outcome.status == REMOVED and outcome.previous is not None:
        try:
            changes = compare(normalize(outcome.previous), None)
        except InputError as exc:  # reports never fail a pull that already wrote
            click.echo(f"  schema diff unavailable: {exc}", err=True)
        else:
            click.echo(render_text(outcome.model_id, changes), err=True, nl=False)
    if outcome.page_differences:
        click.echo(
            f"  {outcome.model_id}: the page's schemas are kept; the catalog's input schema "
            "differs from the page's (page -> catalog):",
            err=True,
        )
        text = render_text(outcome.model_id, outcome.page_differences)
        click.echo(
            "".join("  " + line for line in text.splitlines(keepends=True)), err=True, nl=False
        )


@click.command("pull")
@click.argument("models", nargs=-1, metavar="[MODEL_ID_OR_GLOB]...")
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="C",
    help="Every catalog model with category C (repeatable).",
)
@click.option("--all", "everything", is_flag=True, help="Every model of the catalog.")
@click.option(
    "--prune",
    is_flag=True,
    help="Delete pulled model files whose model is gone from the catalog (a breaking change).",
)
@click.option(
    "--schemas-dir",
    default=Path("schemas"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where model files are written, one per model: <model_id>.json.",
)
@click.option(
    "--base-url",
    envvar="RUNCOMFY_BASE_URL",
    default=DEFAULT_BASE_URL,
    show_default=True,
    help="The Model API to read the catalog from (e.g. a local `serve`) [$RUNCOMFY_BASE_URL].",
)
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
def pull_command(
    models: tuple[str, ...],
    categories: tuple[str, ...],
    everything: bool,
    prune: bool,
    schemas_dir: Path,
    base_url: str,
    dry_run: bool,
) -> None:
    """Pull model files from RunComfy's model catalog (token from RUNCOMFY_API_TOKEN).

    Names are model ids or globs (`*` also matches `/`); with no names, --category or --all,
    the models already in --schemas-dir are refreshed. Every page is fetched and every entry
    checked before anything is written: one bad answer writes nothing (exit 2).
    """
    check_model_files_folder(schemas_dir, current_config().out_dir)
    selection = Selection(tuple(models), tuple(categories), everything)
    stored = read_stored(schemas_dir)
    if selection.refresh and not stored:
        raise InputError(
            str(schemas_dir), "holds no models to refresh: name models, --category C or --all"
        )
    with CatalogClient(base_url, _token(), retry=RETRY) as client:
        entries = _fetch(client, selection, prune)
    whole_catalog = selection.exact_ids() is None or prune
    outcomes = plan_pull(
        entries, stored, selection, schemas_dir, whole_catalog=whole_catalog, prune=prune
    )
    if not dry_run:
        writes = {o.path: dump_model_file(o.model) for o in outcomes if o.writes and o.model}
        deletes = [o.path for o in outcomes if o.status == REMOVED]
        try:
            apply_batch(writes, deletes, root=schemas_dir)
        except OSError as exc:  # everything already replaced was put back
            raise InputError(str(schemas_dir), f"cannot write the model files: {exc}") from None
    for outcome in outcomes:
        _report(outcome)
    counts = [
        f"{sum(o.status == status for o in outcomes)} {status}"
        for status in (NEW, CHANGED, UNCHANGED, REMOVED, GONE)
    ]
    note = " (dry run: nothing written)" if dry_run else ""
    if verbosity() >= 0:
        click.echo(f"pull: {', '.join(counts)}{note}", err=True)
