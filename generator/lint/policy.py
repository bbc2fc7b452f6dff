"""Which findings a project wants to see: rule ignores, per-file ignores, severity overrides.

Built from the configuration (``[tool.runcomfy-codegen.lint]``, already checked by
:mod:`generator.config`) and the command line; command-line entries are added to the
configured ignores and win over a configured severity for the same rule.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from generator.config import LintConfig
from generator.lint.findings import Finding
from generator.lint.rules import Severity

__all__ = ["FileRule", "LintPolicy", "build_policy", "relative_posix"]


def relative_posix(file: str, root: Path) -> str:
    """``file`` (as the user named it, relative to the current folder) relative to ``root``,
    with ``/``: the form globs and baselines compare, wherever the command runs from."""
    try:
        relative = os.path.relpath(os.path.abspath(file), os.path.abspath(root))
    except ValueError:  # another drive (Windows)
        relative = os.path.abspath(file)
    return PurePath(relative).as_posix()


@dataclass(frozen=True)
class FileRule:
    """Skip ``codes`` in files whose path relative to ``root`` matches ``pattern``."""

    root: Path
    pattern: str
    codes: frozenset[str]

    def matches(self, finding: Finding) -> bool:
        return finding.code in self.codes and fnmatch.fnmatchcase(
            relative_posix(finding.file, self.root), self.pattern
        )


@dataclass(frozen=True)
class LintPolicy:
    ignore: frozenset[str] = frozenset()
    per_file: tuple[FileRule, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        kept = []
        for f in findings:
            if f.code in self.ignore or any(rule.matches(f) for rule in self.per_file):
                continue
            if f.code in self.severity:
                f = replace(f, severity=self.severity[f.code])
            kept.append(f)
        return kept


def build_policy(
    config: LintConfig,
    root: Path,
    ignore: Iterable[str] = (),
    severity: Mapping[str, Severity] | None = None,
    per_file: Iterable[tuple[str, Iterable[str]]] = (),
) -> LintPolicy:
    """The configured policy (globs relative to ``root``, the configuration's folder) plus the
    command line's (globs relative to the current folder)."""
    cwd = Path.cwd()
    return LintPolicy(
        ignore=frozenset({*(i.rule for i in config.ignore), *ignore}),
        per_file=(
            *(FileRule(root, i.path, frozenset(i.rules)) for i in config.per_file_ignores),
            *(FileRule(cwd, pattern, frozenset(codes)) for pattern, codes in per_file),
        ),
        severity={**{o.rule: o.severity for o in config.severity}, **(severity or {})},
    )
