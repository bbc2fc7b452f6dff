"""``runcomfy-codegen generate``: schemas/ -> generated/ (JSON Schemas, Python package, docs)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from generator.cli._app import verbosity
from generator.cli._config import current_config, distribution_name_option, import_name_option
from generator.config import PackageNames
from generator.output.build import Build, build, default_jobs
from generator.output.cache import RenderCache, default_cache_dir
from generator.output.folders import DEFAULT_OUT_DIR, check_generate_folders
from generator.output.lock import output_lock
from generator.output.tree import TreeDiff, diff_tree, write_tree

__all__ = ["EXIT_DRIFT", "generate_command"]

#: ``--check`` exit status when the output folder is not what the schemas and templates give.
EXIT_DRIFT = 1
#: Below this many models to render, no progress bar (the run is short).
_PROGRESS_MIN_MODELS = 8


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal when many models render; nothing when piped or quiet."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("rendering models"), BarColumn(), MofNCompleteColumn(), transient=True
    )
    task = bar.add_task("models")

    def update(rendered: int, to_render: int) -> None:
        if to_render >= _PROGRESS_MIN_MODELS:
            if not bar.live.is_started:
                bar.start()
            bar.update(task, completed=rendered, total=to_render)

    try:
        yield update
    finally:
        bar.stop()


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
    default=DEFAULT_OUT_DIR,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (generate owns it: see --force).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing but the render cache; print a unified diff of what would change and "
    "exit 1 if anything would.",
)
@click.option(
    "--templates",
    "templates_dir",
    default=None,
    show_default=True,  # shows a configured templates-dir; nothing when there is none
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of templates that override the bundled ones by relative path "
    "(e.g. python/model.py.jinja).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into an --out holding files generate did not write (they are kept). "
    "Never lifts the refusal of an --out that is, holds or sits in the schemas or templates "
    "folder.",
)
@click.option(
    "--cache-dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where rendered models are cached [default: .runcomfy-codegen-cache beside --out].",
)
@click.option("--no-cache", is_flag=True, help="Render every model; read and write no cache.")
@distribution_name_option("The generated package's distribution name (pip install NAME).")
@import_name_option("The generated package's import name: python/NAME/, import NAME.")
@click.option(
    "--release",
    "mark_released",
    is_flag=True,
    help="Outside git: record what is generated now as released (in <out>/release.json); "
    "later changes are bumped from it. Inside git, committing is the release.",
)
@click.option(
    "-j",
    "--jobs",
    default=None,
    type=click.IntRange(min=1),
    help="Processes that render models [default: the CPUs available].",
)
def generate_command(
    schemas_dir: Path,
    out_dir: Path,
    check: bool,
    templates_dir: Path | None,
    force: bool,
    cache_dir: Path | None,
    no_cache: bool,
    distribution_name: str,
    import_name: str,
    mark_released: bool,
    jobs: int | None,
) -> None:
    """Generate normalized schemas, the Python package and docs for every model.

    Everything is built and checked (every Python file compiles, the changed modules import)
    before the output folder is replaced: an unusable schema or template writes nothing.
    """
    level = verbosity()
    cache_dir = None if no_cache else cache_dir or default_cache_dir(out_dir)
    check_generate_folders(
        out_dir,
        schemas_dir,
        templates_dir,
        cache_dir,
        project_file=current_config().file,
        writing=not check,
    )
    cache = RenderCache(cache_dir)
    with output_lock(out_dir, exclusive=not check, on_wait=_say_waiting(out_dir, level)):
        with _progress(level >= 0) as on_progress:
            result = build(
                schemas_dir,
                templates_dir,
                out_dir,
                cache=cache,
                jobs=jobs or default_jobs(),
                on_progress=on_progress,
                package_names=PackageNames(distribution_name, import_name),
                mark_released=mark_released,
            )
        files = result.files
        if level > 0:
            click.echo(
                f"{len(files)} files from {result.rendered + result.reused} models "
                f"({result.rendered} rendered, {result.reused} from the cache)",
                err=True,
            )
        if check:
            diff = diff_tree(out_dir, files)
            if diff.clean:
                if level >= 0:
                    click.echo(f"{out_dir} is up to date ({len(files)} files)")
                return
            click.echo(diff.text, nl=False)
            click.echo(
                f"{out_dir} is out of date: {len(diff.added)} added, {len(diff.changed)} changed, "
                f"{len(diff.removed)} removed; run `runcomfy-codegen generate` (make generate)",
                err=True,
            )
            raise click.exceptions.Exit(EXIT_DRIFT)
        diff = write_tree(out_dir, files, force=force, verify=_verifier(result))
        if not no_cache:
            cache.prune()
        if level >= 0:
            click.echo(
                f"{out_dir}: {len(files)} files ({len(diff.added)} added, {len(diff.changed)} "
                f"changed, {len(diff.removed)} removed)"
            )


def _say_waiting(out_dir: Path, level: int) -> Callable[[], None]:
    def say() -> None:
        if level >= 0:
            click.echo(f"waiting for another runcomfy-codegen generate on {out_dir}", err=True)

    return say


def _verifier(result: Build) -> Callable[[Path, TreeDiff], None]:
    from generator.output.verify import verify_package

    return lambda staged, diff: verify_package(staged, diff, result.origins)
