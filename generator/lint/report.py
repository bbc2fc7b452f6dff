"""Lint reports: text for people, JSON (versioned) for scripts, SARIF 2.1.0 for code scanning.

The JSON and SARIF shapes are an interface (docs/lint-rules.md); change them only by adding
fields, and bump ``JSON_FORMAT_VERSION`` for anything else.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from generator.errors import one_line
from generator.lint.findings import Finding
from generator.lint.rules import RULES, Severity

__all__ = [
    "JSON_FORMAT_VERSION",
    "SARIF_SCHEMA_URI",
    "LintReport",
    "render_json",
    "render_sarif",
    "render_text",
]

JSON_FORMAT_VERSION = 1
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "runcomfy-codegen"


@dataclass(frozen=True)
class LintReport:
    #: Every file linted, in order (also those without findings).
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    #: Findings left out because the baseline knows them (``lint --baseline``).
    baselined: int = 0

    def count(self, severity: Severity) -> int:
        return sum(f.severity is severity for f in self.findings)

    def fails(self, threshold: Severity) -> bool:
        return any(f.severity.rank >= threshold.rank for f in self.findings)


def _tool_version() -> str:
    # Imported here: every command reads the configuration, which loads this module, and
    # importlib.metadata costs more than the rest of it.
    from importlib.metadata import version

    return version(TOOL_NAME)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_text(report: LintReport) -> str:
    lines = []
    for f in report.findings:
        where = f.file if f.line is None else f"{f.file}:{f.line}"
        # One printable line each: a pointer holds the schema's keys, which may hold a newline
        # (a forged finding line) or terminal escapes.
        lines.append(
            one_line(f"{where}: {f.severity.value} {f.code} {f.name}: {f.message} [#{f.pointer}]")
        )
        lines.append("    fix: " + one_line(f.hint))
    if report.findings:
        tally = ", ".join(
            _plural(report.count(s), s.value) for s in reversed(Severity) if report.count(s)
        )
    else:
        tally = "no findings"
    tally += f" in {_plural(len(report.files), 'file')}"
    if report.baselined:
        tally += f" ({_plural(report.baselined, 'known finding')} in the baseline not shown)"
    lines.append(tally)
    return "\n".join(lines) + "\n"


def render_json(report: LintReport) -> str:
    document = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": _tool_version()},
        "files": list(report.files),
        "findings": [
            {
                "code": f.code,
                "name": f.name,
                "severity": f.severity.value,
                "message": f.message,
                "file": f.file,
                "pointer": f.pointer,
                "line": f.line,
                "hint": f.hint,
            }
            for f in report.findings
        ],
        "summary": {s.value: report.count(s) for s in reversed(Severity)},
        "baselined": report.baselined,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _artifact_uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    return quote(PurePosixPath(*path.parts).as_posix(), safe="/")


def _fingerprint(f: Finding) -> str:
    # Stable across runs and line shifts: the same rule at the same pointer of the same file.
    return hashlib.sha256(f"{f.code}\0{f.file}\0{f.pointer}".encode()).hexdigest()[:32]


def render_sarif(report: LintReport) -> str:
    index = {r.code: i for i, r in enumerate(RULES)}
    rules = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            # helpUri must be absolute; the project has no canonical docs URL, so the help text
            # names the page in the repository instead.
            "help": {"text": f"{r.hint} (docs/lint-rules.md#{r.code.lower()})"},
            "defaultConfiguration": {"level": r.severity.sarif_level},
            "properties": {"severity": r.severity.value},
        }
        for r in RULES
    ]
    results: list[dict[str, Any]] = []
    for f in report.findings:
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": _artifact_uri(f.file)},
            "region": {"startLine": f.line or 1},
        }
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": f.severity.sarif_level,
                "message": {"text": f"{f.message} (fix: {f.hint})"},
                "locations": [
                    {
                        "physicalLocation": physical,
                        "logicalLocations": [
                            {"fullyQualifiedName": f.pointer or "/", "kind": "member"}
                        ],
                    }
                ],
                "partialFingerprints": {"runcomfyFinding/v1": _fingerprint(f)},
            }
        )
    document = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": _tool_version(),
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
