"""A lint baseline: the findings a project already has, so CI fails on new ones only.

A finding is known when the baseline holds one with the same rule, file and JSON pointer (the
identity SARIF fingerprints use too: editing other lines does not make it new). Counts matter:
two findings of one rule at one pointer need two entries. Files are stored relative to the
baseline's folder, so the baseline works from any working folder and on any machine; entries
are sorted and carry no version or date, so writing it twice gives the same bytes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.limits import MAX_BASELINE_BYTES, read_bounded
from generator.lint.findings import Finding
from generator.lint.policy import relative_posix
from generator.lint.report import LintReport

__all__ = ["BASELINE_FORMAT_VERSION", "Baseline", "dump_baseline", "read_baseline"]

BASELINE_FORMAT_VERSION = 1
_ENTRY_KEYS = ("code", "file", "pointer")

_Key = tuple[str, str, str]


def _key(finding: Finding, folder: Path) -> _Key:
    return finding.code, relative_posix(finding.file, folder), finding.pointer


@dataclass(frozen=True)
class Baseline:
    #: The baseline file's folder: entries' files are relative to it.
    folder: Path
    known: Counter[_Key]

    def apply(self, report: LintReport) -> LintReport:
        """``report`` without its known findings; they are counted in ``baselined``."""
        left = Counter(self.known)
        new = []
        for f in report.findings:
            key = _key(f, self.folder)
            if left[key] > 0:
                left[key] -= 1
            else:
                new.append(f)
        return replace(
            report,
            findings=tuple(new),
            baselined=report.baselined + len(report.findings) - len(new),
        )


def dump_baseline(findings: Iterable[Finding], path: Path) -> str:
    """The baseline file ``path`` should hold for ``findings`` (deterministic text)."""
    folder = path.absolute().parent
    entries = sorted(
        (relative_posix(f.file, folder), f.pointer, f.code, f.name, f.message) for f in findings
    )
    document = {
        "version": BASELINE_FORMAT_VERSION,
        "findings": [
            {"file": file, "pointer": pointer, "code": code, "name": name, "message": message}
            for file, pointer, code, name, message in entries
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_baseline(path: Path) -> Baseline:
    """Read a baseline written by ``lint --write-baseline``; InputError when it is not one."""
    if not path.exists():
        raise InputError(
            str(path), "no such baseline file (write one with `lint --write-baseline FILE`)"
        )
    data = read_bounded(path, MAX_BASELINE_BYTES, "the baseline is")
    try:
        document: Any = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"cannot read the baseline: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            str(path), f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise InputError(str(path), "not usable JSON: nested too deeply") from None
    except ValueError:  # int() of a number of 4,300+ digits
        raise InputError(str(path), "not usable JSON: a number with too many digits") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_FORMAT_VERSION:
        raise InputError(
            str(path),
            f"not a lint baseline of format version {BASELINE_FORMAT_VERSION}",
            "/version" if isinstance(document, dict) else None,
        )
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise InputError(str(path), "the baseline has no findings list", "/findings")
    known: Counter[_Key] = Counter()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in _ENTRY_KEYS
        ):
            raise InputError(
                str(path), "each entry needs string code, file and pointer", f"/findings/{i}"
            )
        known[(entry["code"], entry["file"], entry["pointer"])] += 1
    return Baseline(path.absolute().parent, known)
