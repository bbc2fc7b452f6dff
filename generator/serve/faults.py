"""Fault injection: which requests the server answers badly, and how.

A fault names a method and a path pattern (``fnmatch``: ``*`` also matches ``/``, so
``/v1/models/*`` covers every model id), a kind, and how many matching requests it hits.
Spelled on the command line as ``"METHOD PATTERN:KIND[:option=value...]"``, e.g.
``"POST /v1/models/*:503:count=2"`` (the first two submits get 503) or in a JSON file as a
list of objects with the same fields (``method``, ``path``, ``kind``, ``count``, ``after``,
``retry_after``, ``ms``, ``error_code``, ``message``).

Kinds:

* ``<status>`` (400-599, e.g. ``429``, ``500``, ``502``, ``503``): an error answer in the
  documented shape; a 429 carries ``Retry-After`` (``retry_after``, seconds, default 1).
* ``slow``: wait ``ms`` milliseconds before answering (then answer normally, or with the next
  matching fault).
* ``drop``: close the connection without an answer, before doing anything.
* ``drop-after``: do the work (a submit creates its job), then close without an answer: the
  case a client must not blindly retry.
* ``fail``: on a submit, the created job ends ``failed`` instead of ``completed``.
* ``error-200``: HTTP 200 whose body is an error (``error_code``, default 500001), as
  RunComfy sometimes answers.
* ``garbage``: HTTP 200 whose body is not JSON (``message``, default an HTML page), before
  doing anything.
* ``redirect``: HTTP 307 to the same path on another host (``message``: the ``Location``,
  default ``http://elsewhere.invalid<path>``), before doing anything.
"""

from __future__ import annotations

import fnmatch
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import InputError

__all__ = [
    "DROP",
    "DROP_AFTER",
    "ERROR_200",
    "FAIL",
    "GARBAGE",
    "REDIRECT",
    "SLOW",
    "Fault",
    "FaultPlan",
    "load_faults_file",
    "parse_fault",
]

SLOW = "slow"
DROP = "drop"
DROP_AFTER = "drop-after"
FAIL = "fail"
ERROR_200 = "error-200"
GARBAGE = "garbage"
REDIRECT = "redirect"
_NAMED_KINDS = (SLOW, DROP, DROP_AFTER, FAIL, ERROR_200, GARBAGE, REDIRECT)
_INT_OPTIONS = ("count", "after", "ms", "error_code")
_FLOAT_OPTIONS = ("retry_after",)
_TEXT_OPTIONS = ("message",)
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "*")
#: Bounds of the numbers a fault holds: far beyond any test's need, far below an overflow
#: (``time.sleep`` refuses ~1e11 s; ``Retry-After: inf`` is not HTTP).
_MAX_MS = 3_600_000
_MAX_RETRY_AFTER = 86_400


@dataclass(frozen=True)
class Fault:
    method: str
    path: str
    kind: str
    #: How many matching requests it hits; None: every one.
    count: int | None = None
    #: How many matching requests it lets through first.
    after: int = 0
    retry_after: float = 1.0
    ms: int = 0
    error_code: int | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem:
            raise ValueError(problem)

    @property
    def status(self) -> int | None:
        """The HTTP status of an error-answer fault, else None."""
        return int(self.kind) if self.kind.isdigit() else None

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)

    def describe(self) -> str:
        return f"{self.method} {self.path}:{self.kind}"


def _problem(fault: Fault) -> str | None:
    if fault.method not in _METHODS:
        return f"unknown method {fault.method!r} (known: {', '.join(_METHODS)})"
    if not fault.path.startswith("/"):
        return f"path pattern {fault.path!r} must start with '/'"
    if fault.kind.isdigit():
        if not 400 <= int(fault.kind) <= 599:
            return f"status {fault.kind} is not an error status (400-599)"
    elif fault.kind not in _NAMED_KINDS:
        return f"unknown fault kind {fault.kind!r} (known: <status>, {', '.join(_NAMED_KINDS)})"
    if fault.count is not None and fault.count < 1:
        return "count must be at least 1"
    if fault.after < 0 or fault.ms < 0:
        return "after and ms must not be negative"
    # Written as a range so that NaN (false on every comparison) is refused too.
    if not 0 <= fault.retry_after <= _MAX_RETRY_AFTER:
        return f"retry_after must be 0 to {_MAX_RETRY_AFTER} seconds, not {fault.retry_after}"
    if fault.ms > _MAX_MS:
        return f"ms must be at most {_MAX_MS} (an hour), not {fault.ms}"
    if fault.kind == SLOW and fault.ms == 0:
        return "a slow fault needs ms=<milliseconds>"
    return None


def parse_fault(spec: str) -> Fault:
    """Parse ``"METHOD PATTERN:KIND[:option=value...]"``; raise ValueError naming the problem.

    ``message=`` runs to the end of the spec, ``:`` included (a redirect's ``Location`` is a URL).
    """
    method, _, rest = spec.strip().partition(" ")
    parts = rest.strip().split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ValueError(f"fault {spec!r} is not 'METHOD PATTERN:KIND[:option=value...]'")
    kind, _, inline_value = parts[1].partition("=")
    options: dict[str, Any] = {}
    if inline_value:  # "slow=250" and "error-200=400002" are shorthands
        options["ms" if kind == SLOW else "error_code"] = inline_value
    for at, option in enumerate(parts[2:], start=2):
        name, equals, value = option.partition("=")
        if not equals:
            raise ValueError(f"fault option {option!r} is not name=value")
        if name == "message":  # the last option: a Location or a text may hold ":"
            options[name] = ":".join([value, *parts[at + 1 :]])
            break
        options[name] = value
    return _build(method.upper(), parts[0], kind, options, spec)


def _build(method: str, path: str, kind: str, options: dict[str, Any], where: str) -> Fault:
    known = _INT_OPTIONS + _FLOAT_OPTIONS + _TEXT_OPTIONS
    values: dict[str, Any] = {}
    for name, value in options.items():
        if name not in known:
            raise ValueError(
                f"unknown fault option {name!r} in {where!r} (known: {', '.join(known)})"
            )
        if name in _TEXT_OPTIONS:
            values[name] = str(value)
            continue
        convert = int if name in _INT_OPTIONS else float
        try:
            values[name] = convert(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"fault option {name}={value!r} in {where!r} is not a number"
            ) from None
    return Fault(method=method, path=path, kind=kind, **values)


def load_faults_file(path: Path) -> list[Fault]:
    """Read a JSON list of fault objects; a bad entry is an InputError at its pointer."""
    file = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(file, f"cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            file, f"not valid JSON (line {exc.lineno} column {exc.colno}): {exc.msg}"
        ) from None
    if not isinstance(data, list):
        raise InputError(file, "a faults file must hold a JSON list of fault objects", "")
    faults: list[Fault] = []
    for index, entry in enumerate(data):
        pointer = f"/{index}"
        if not isinstance(entry, dict):
            raise InputError(file, "a fault must be an object", pointer)
        options = dict(entry)
        try:
            method = str(options.pop("method", "*")).upper()
            fault_path = str(options.pop("path"))
            kind = str(options.pop("kind"))
            faults.append(_build(method, fault_path, kind, options, f"{file}{pointer}"))
        except KeyError as exc:
            raise InputError(file, f"a fault needs {exc.args[0]!r}", pointer) from None
        except ValueError as exc:
            raise InputError(file, str(exc), pointer) from None
    return faults


@dataclass
class _Armed:
    fault: Fault
    seen: int = 0
    fired: int = 0


@dataclass
class FaultPlan:
    """The faults in force and how often each fired; safe to share between threads."""

    _armed: list[_Armed] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, faults: list[Fault] | tuple[Fault, ...] = ()) -> FaultPlan:
        return cls([_Armed(fault) for fault in faults])

    def replace_all(self, faults: list[Fault] | tuple[Fault, ...]) -> None:
        with self._lock:
            self._armed = [_Armed(fault) for fault in faults]

    def draw(self, method: str, path: str) -> list[Fault]:
        """The faults that hit this request, in plan order; counts them as fired."""
        hits: list[Fault] = []
        with self._lock:
            for armed in self._armed:
                if not armed.fault.matches(method, path):
                    continue
                armed.seen += 1
                if armed.seen <= armed.fault.after:
                    continue
                if armed.fault.count is not None and armed.fired >= armed.fault.count:
                    continue
                armed.fired += 1
                hits.append(armed.fault)
        return hits

    def report(self) -> list[dict[str, Any]]:
        """Each fault with how many matching requests it saw and how many it hit."""
        with self._lock:
            return [
                {"fault": armed.fault.describe(), "seen": armed.seen, "fired": armed.fired}
                for armed in self._armed
            ]
