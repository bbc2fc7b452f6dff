"""The ``runcomfy-codegen`` command line: one module per command, imported when used.

Loading every command up front would import datamodel-code-generator, black and jsonschema's
format checkers for ``serve`` or ``run`` too; each command's module is imported only when that
command runs (or ``--help`` lists them).
"""

from __future__ import annotations

from generator.cli._app import cli

__all__ = ["cli", "main"]

cli.register_lazy("diff", "generator.cli.diff_cmd:diff_command")
cli.register_lazy("generate", "generator.cli.generate_cmd:generate_command")
cli.register_lazy("import", "generator.cli.import_cmd:import_command")
cli.register_lazy("lint", "generator.cli.lint_cmd:lint_command")
cli.register_lazy("normalize", "generator.cli.normalize_cmd:normalize_command")
cli.register_lazy("pull", "generator.cli.pull_cmd:pull_command")
cli.register_lazy("run", "generator.cli.run_cmd:run_command")
cli.register_lazy("serve", "generator.cli.serve_cmd:serve_command")


def main() -> None:
    cli()
