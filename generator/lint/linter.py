"""Lint documented models: run the checks, apply the policy, order findings as an editor would."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.lint.checks import lint_model
from generator.lint.findings import Finding
from generator.lint.locate import pointer_line
from generator.lint.policy import LintPolicy
from generator.lint.report import LintReport
from generator.lint.sources import collect_targets
from generator.pages.sources import DocumentedSource

__all__ = ["lint_paths", "lint_targets"]

#: Every finding, at its rule's own severity.
_REPORT_ALL = LintPolicy()


def lint_targets(
    targets: Sequence[DocumentedSource], policy: LintPolicy = _REPORT_ALL
) -> LintReport:
    findings: list[Finding] = []
    for target in targets:
        found = policy.apply(lint_model(target.model))
        if target.json_text is not None:
            text = target.json_text
            found = [
                f.at_line(pointer_line(text, f.pointer)) if f.file == target.model.file else f
                for f in found
            ]
        # Top to bottom of the file, as an editor shows them; ties keep rule order.
        found.sort(key=lambda f: (f.file != target.model.file, f.line or 0))
        findings.extend(found)
    return LintReport(tuple(t.model.file for t in targets), tuple(findings))


def lint_paths(paths: Sequence[Path], policy: LintPolicy = _REPORT_ALL) -> LintReport:
    """Lint every model the paths name; InputError when a path cannot be read at all."""
    return lint_targets(collect_targets(paths), policy)
