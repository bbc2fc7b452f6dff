"""The ``runcomfy-codegen`` command line: one module per command."""

from __future__ import annotations

from generator.cli._app import cli
from generator.cli.diff_cmd import diff_command
from generator.cli.generate_cmd import generate_command
from generator.cli.import_cmd import import_command
from generator.cli.lint_cmd import lint_command
from generator.cli.normalize_cmd import normalize_command
from generator.cli.run_cmd import run_command
from generator.cli.serve_cmd import serve_command

__all__ = ["cli", "main"]

cli.add_command(diff_command)
cli.add_command(generate_command)
cli.add_command(import_command)
cli.add_command(lint_command)
cli.add_command(normalize_command)
cli.add_command(run_command)
cli.add_command(serve_command)


def main() -> None:
    cli()
