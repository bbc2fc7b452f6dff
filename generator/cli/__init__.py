"""The ``runcomfy-codegen`` command line: one module per command, imported when used.

Loading every command up front would import datamodel-code-generator, black and jsonschema's
format checkers for ``serve`` or ``run`` too; each command's module is imported only when that
command runs. ``--help`` lists the one-line help registered here (tests keep it equal to the
first line of each command's own help).
"""

from __future__ import annotations

from generator.cli._app import cli

__all__ = ["cli", "main"]

cli.register_lazy(
    "diff",
    "generator.cli.diff_cmd:diff_command",
    "Compare two versions of a model's documented schema, or two catalogs.",
)
cli.register_lazy(
    "generate",
    "generator.cli.generate_cmd:generate_command",
    "Generate normalized schemas, the Python package and docs for every model.",
)
cli.register_lazy(
    "import",
    "generator.cli.import_cmd:import_command",
    "Import saved RunComfy model pages (any language, any layout).",
)
cli.register_lazy(
    "lint",
    "generator.cli.lint_cmd:lint_command",
    "Lint documented schemas: model files, folders of them (default: schemas/) or saved pages.",
)
cli.register_lazy(
    "normalize",
    "generator.cli.normalize_cmd:normalize_command",
    "Normalize a model file (schemas/<model_id>.json) to JSON Schema draft 2020-12.",
)
cli.register_lazy(
    "pull",
    "generator.cli.pull_cmd:pull_command",
    "Pull model files from RunComfy's model catalog (token from RUNCOMFY_API_TOKEN).",
)
cli.register_lazy(
    "run",
    "generator.cli.run_cmd:run_command",
    "Validate, submit and follow one job of MODEL_ID; print its output URLs.",
)
cli.register_lazy(
    "serve",
    "generator.cli.serve_cmd:serve_command",
    "Serve RunComfy's queue API (submit, status, result, cancel) for every model in SCHEMAS.",
)


def main() -> None:
    cli()
