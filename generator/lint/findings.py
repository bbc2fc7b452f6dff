"""One lint finding: rule, severity, message, file, JSON pointer and fix hint."""

from __future__ import annotations

from dataclasses import dataclass, replace

from generator.lint.rules import Severity, rule

__all__ = ["Finding", "finding"]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    #: One line.
    message: str
    #: The file as the user named it (model file or saved page).
    file: str
    #: RFC 6901 pointer into the documented model (the model file's JSON, or what was read
    #: from a page: the same shape).
    pointer: str
    hint: str
    #: 1-based line of the pointer in the file, when the file is JSON and the pointer is found.
    line: int | None = None

    @property
    def name(self) -> str:
        return rule(self.code).name

    def at_line(self, line: int | None) -> Finding:
        return replace(self, line=line)


def finding(code: str, message: str, file: str, pointer: str, hint: str | None = None) -> Finding:
    """A finding of rule ``code``, with the rule's severity and (unless given) its generic hint."""
    spec = rule(code)
    one_line = " ".join(message.split())
    return Finding(code, spec.severity, one_line, file, pointer, hint or spec.hint)
