"""The one hook between ``[tool.runcomfy-codegen]`` and the commands: click's ``default_map``.

``--config FILE`` and ``--isolated`` belong to the group (``runcomfy-codegen --config F lint``).
The group reads the configuration before any command runs and turns it into command defaults,
so for every option: a flag on the command line wins, then an environment variable the option
reads (``RUNCOMFY_BASE_URL``), then the file, then the option's own default. ``lint`` also
takes its structured settings (ignores with reasons, severity overrides) from
:func:`current_config`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from generator.config import (
    DEFAULT_DISTRIBUTION_NAME,
    DEFAULT_IMPORT_NAME,
    Config,
    distribution_name_problem,
    import_name_problem,
    load_config,
)

__all__ = [
    "current_config",
    "default_map",
    "distribution_name_option",
    "import_name_option",
    "with_config",
]

_F = TypeVar("_F", bound=Callable[..., Any])
_META = "runcomfy_codegen.config"


def default_map(config: Config) -> dict[str, dict[str, Any]]:
    """``{command: {parameter: value}}`` for every setting the configuration holds.

    ``pull`` is listed for the catalog command's ``--schemas-dir`` and ``--base-url``; a
    command that lacks a parameter simply never asks for it.
    """
    defaults: dict[str, dict[str, Any]] = {}

    def put(commands: tuple[str, ...], parameter: str, value: object) -> None:
        if value is not None:
            for command in commands:
                defaults.setdefault(command, {})[parameter] = value

    put(("generate", "import", "pull", "serve"), "schemas_dir", config.schemas_dir)
    put(("generate",), "out_dir", config.out_dir)
    put(("generate",), "templates_dir", config.templates_dir)
    put(("run",), "package_dir", config.out_dir and config.out_dir / "python")
    put(("pull", "run"), "base_url", config.base_url)
    put(("generate",), "distribution_name", config.distribution_name)
    put(("generate", "run"), "import_name", config.import_name)
    put(("lint",), "fail_on", config.lint.fail_on and config.lint.fail_on.value)
    put(("lint",), "baseline", config.lint.baseline)
    return defaults


def _checked(problem_of: Callable[[str], str | None]) -> Callable[..., str]:
    """A click callback refusing what :mod:`generator.config` refuses in the file, with the
    same words: one check for the flag and the key."""

    def check(ctx: click.Context, param: click.Parameter, value: str) -> str:
        problem = problem_of(value)
        if problem is not None:
            raise click.BadParameter(problem, ctx=ctx, param=param)
        return value

    return check


def import_name_option(help: str) -> Callable[[_F], _F]:
    """``--import-name`` (``import-name`` in the file)."""
    return click.option(
        "--import-name",
        default=DEFAULT_IMPORT_NAME,
        show_default=True,
        callback=_checked(import_name_problem),
        help=help,
    )


def distribution_name_option(help: str) -> Callable[[_F], _F]:
    """``--distribution-name`` (``distribution-name`` in the file)."""
    return click.option(
        "--distribution-name",
        default=DEFAULT_DISTRIBUTION_NAME,
        show_default=True,
        callback=_checked(distribution_name_problem),
        help=help,
    )


def current_config() -> Config:
    """The configuration the group read (defaults when a command runs on its own)."""
    context = click.get_current_context(silent=True)
    found = context.meta.get(_META) if context is not None else None
    return found if isinstance(found, Config) else Config()


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> object:
    ctx.meta[f"{_META}.{param.name}"] = value
    return value


def with_config(group_callback: _F) -> _F:
    """Give the group ``--config``/``--isolated`` and install the configuration's defaults.

    The file is read in the group's callback, inside the group's error handling, so a bad
    configuration is one ``error: FILE: KEY: ...`` line and exit 2.
    """

    @functools.wraps(group_callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        config = load_config(
            ctx.meta.get(f"{_META}.config_file"), bool(ctx.meta.get(f"{_META}.isolated"))
        )
        ctx.meta[_META] = config
        given = ctx.default_map or {}
        merged = default_map(config)
        for command, values in given.items():  # defaults passed in by a caller win
            merged[command] = {**merged.get(command, {}), **values}
        ctx.default_map = merged
        return group_callback(*args, **kwargs)

    options = (
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, path_type=Path),
            expose_value=False,
            callback=_remember,
            help="Read settings from this file instead of the nearest pyproject.toml "
            "with [tool.runcomfy-codegen] (docs/configuration.md).",
        ),
        click.option(
            "--isolated",
            is_flag=True,
            expose_value=False,
            callback=_remember,
            help="Read no configuration file.",
        ),
    )
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]
