"""The click group and the one place where every failure becomes one line and exit status 2."""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from generator.errors import InputError, one_line

__all__ = ["DEBUG_ENV", "EXIT_INPUT_ERROR", "cli"]

#: Exit status for a usage error or a page/schema that cannot be read (click uses 2 as well).
EXIT_INPUT_ERROR = 2
#: Set to 1 to see the traceback of an internal error instead of its one-line summary.
DEBUG_ENV = "RUNCOMFY_CODEGEN_DEBUG"


class _Group(click.Group):
    """Commands registered by import path are loaded on first use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy: dict[str, str] = {}

    def register_lazy(self, name: str, import_path: str) -> None:
        self._lazy[name] = import_path

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy and cmd_name not in self.commands:
            module_name, attribute = self._lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self._lazy[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            return _fail(str(exc))
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click prints these itself (usage errors exit 2 as well)
        except OSError as exc:  # a file or folder the user named cannot be read or written
            where = f"{exc.filename}: " if exc.filename else ""
            return _fail(f"{where}{exc.strerror or exc}")
        except Exception as exc:
            # A bug, not the user's input: still one line and exit 2, never a traceback
            # (RUNCOMFY_CODEGEN_DEBUG=1 shows it).
            if os.environ.get(DEBUG_ENV) == "1":
                raise
            return _fail(f"internal error ({type(exc).__name__}: {exc}); please report it")


def _fail(message: str) -> Any:
    click.echo("error: " + one_line(message), err=True)
    raise click.exceptions.Exit(EXIT_INPUT_ERROR) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="runcomfy-codegen")
def cli() -> None:
    """Turn RunComfy's documented model schemas into JSON Schema, Python SDKs and docs."""
