"""``lint``: findings on documented schemas, with stable rule codes (docs/lint-rules.md).

The rule catalogue, findings and reports import in milliseconds (the configuration validates
rule codes against them on every command); the checks, which need jsonschema and
normalization, load on first use of :func:`lint_paths` or :func:`lint_targets`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.lint.findings import Finding
from generator.lint.report import LintReport
from generator.lint.rules import RULES, LintRule, Severity

if TYPE_CHECKING:
    from generator.lint.linter import lint_paths, lint_targets

__all__ = ["RULES", "Finding", "LintReport", "LintRule", "Severity", "lint_paths", "lint_targets"]


def __getattr__(name: str) -> Any:
    if name in ("lint_paths", "lint_targets"):
        from generator.lint import linter

        return getattr(linter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
