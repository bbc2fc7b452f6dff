"""The click group and the one place where every failure becomes one line and exit status 2."""

from __future__ import annotations

import importlib
import os
import warnings
from typing import Any

import click

from generator.cli._config import with_config
from generator.errors import InputError, one_line

__all__ = ["DEBUG_ENV", "EXIT_INPUT_ERROR", "EXIT_INTERRUPTED", "cli", "verbosity"]

#: Exit status for a usage error or a page/schema that cannot be read (click uses 2 as well).
EXIT_INPUT_ERROR = 2
#: Exit status after Ctrl-C (128 + SIGINT, as shells report it; ``run`` uses it too), never 1:
#: exit 1 means drift (``generate --check``), findings (``lint``) or a failed job (``run``).
EXIT_INTERRUPTED = 130
#: Set to 1 to see the traceback of an internal error instead of its one-line summary.
DEBUG_ENV = "RUNCOMFY_CODEGEN_DEBUG"


class _Group(click.Group):
    """Commands registered by import path are loaded on first use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy: dict[str, str] = {}
        self._lazy_help: dict[str, str] = {}

    def register_lazy(self, name: str, import_path: str, short_help: str = "") -> None:
        """``short_help`` is what ``--help`` lists; with it, listing imports no command module."""
        self._lazy[name] = import_path
        self._lazy_help[name] = short_help

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, self._lazy_help.get(name) or self._loaded_help(ctx, name))
            for name in self.list_commands(ctx)
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _loaded_help(self, ctx: click.Context, name: str) -> str:
        command = self.get_command(ctx, name)
        return "" if command is None else command.get_short_help_str()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy and cmd_name not in self.commands:
            module_name, attribute = self._lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self._lazy[cmd_name]} is not a click command")
            _add_verbosity_options(command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # The group's own options (``--config``, a mistyped flag before the command name) are
        # parsed here, before ``invoke``: their usage errors are one line too.
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise  # no command at all: the help, as click prints it
        except click.exceptions.UsageError as exc:
            raise _OneLineUsageError(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        if os.environ.get(DEBUG_ENV) != "1":
            # A library's warning (jsonschema compiling a schema's odd pattern, pydantic) is
            # several lines about code the user never wrote; the tool reports in its own lines.
            warnings.simplefilter("ignore")
        try:
            return super().invoke(ctx)
        except InputError as exc:
            return _fail(str(exc))
        except KeyboardInterrupt:
            # click would print "Aborted!" and exit 1, which `generate --check` documents as drift.
            click.echo("error: interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except click.exceptions.UsageError as exc:
            raise _OneLineUsageError(exc) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click prints these itself
        except OSError as exc:  # a file or folder the user named cannot be read or written
            where = f"{exc.filename}: " if exc.filename else ""
            return _fail(f"{where}{exc.strerror or exc}")
        except Exception as exc:
            # A bug, not the user's input: still one line and exit 2, never a traceback
            # (RUNCOMFY_CODEGEN_DEBUG=1 shows it).
            if os.environ.get(DEBUG_ENV) == "1":
                raise
            return _fail(f"internal error ({type(exc).__name__}: {exc}); please report it")


class _OneLineUsageError(click.exceptions.UsageError):
    """A usage error (bad flag, bad value, missing argument) as one ``error:`` line, exit 2,
    like every other failure, instead of click's usage, hint and error lines."""

    def __init__(self, error: click.exceptions.UsageError) -> None:
        super().__init__(error.format_message(), error.ctx)

    def show(self, file: Any = None) -> None:
        where = self.ctx.command_path if self.ctx is not None else "runcomfy-codegen"
        hint = f" (see '{where} --help')"
        click.echo(f"error: {where}: " + one_line(self.format_message()) + hint, err=True)


def _fail(message: str) -> Any:
    click.echo("error: " + one_line(message), err=True)
    raise click.exceptions.Exit(EXIT_INPUT_ERROR) from None


_VERBOSITY = "runcomfy_codegen.verbosity"


def _set_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta[_VERBOSITY] = -1


def _set_verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value:
        ctx.find_root().meta[_VERBOSITY] = value


def _verbosity_options() -> list[click.Option]:
    return [
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            callback=_set_quiet,
            help="Print errors only.",
        ),
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_set_verbose,
            help="Say more (repeat for more).",
        ),
    ]


def _add_verbosity_options(command: click.Command) -> None:
    """``-q`` / ``-v`` after the command name too, unless the command uses those names."""
    taken = {name for param in command.params for name in getattr(param, "opts", ())}
    for option in _verbosity_options():
        if not taken & set(option.opts):
            command.params.append(option)


def verbosity() -> int:
    """-1 with ``-q`` (errors only), 0 by default, 1 or more with ``-v``."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return 0
    level = ctx.find_root().meta.get(_VERBOSITY, 0)
    return level if isinstance(level, int) else 0


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="runcomfy-codegen")
@with_config
def cli() -> None:
    """Turn RunComfy's documented model schemas into JSON Schema, Python SDKs and docs."""


cli.params.extend(_verbosity_options())
