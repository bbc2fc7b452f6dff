"""``[tool.runcomfy-codegen]``: the project settings every command reads, found like ruff's.

The file is the nearest ``pyproject.toml`` that has a ``[tool.runcomfy-codegen]`` table, looking
in the current folder and then each parent (as ruff and black do); ``--config FILE`` names one
instead (a ``pyproject.toml``, or any other TOML file whose top level is the table itself) and
``--isolated`` reads none. Paths in the file are relative to the file's folder.

Everything is checked here, once, when the file is read: an unknown key, a wrongly typed value,
an unknown rule code or an ignore without a reason is an :class:`InputError` naming the file
and the key (exit 2). Commands then take a :class:`Config` whose values are already right.
Settings given as command-line flags win over the file; the file wins over built-in defaults.
"""

from __future__ import annotations

import difflib
import keyword
import os
import re
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from generator.errors import InputError
from generator.limits import MAX_CONFIG_BYTES, read_bounded
from generator.lint.rules import RULES, Severity

__all__ = [
    "DEFAULT_DISTRIBUTION_NAME",
    "DEFAULT_IMPORT_NAME",
    "PYPROJECT",
    "TABLE",
    "Config",
    "FileIgnore",
    "LintConfig",
    "PackageNames",
    "RuleIgnore",
    "SeverityOverride",
    "distribution_name_problem",
    "find_config",
    "import_name_problem",
    "load_config",
    "read_config",
]

PYPROJECT = "pyproject.toml"
#: The table's dotted name in ``pyproject.toml``.
TABLE = "tool.runcomfy-codegen"
_T = TypeVar("_T")

#: The generated package's names when neither a flag nor the file names them.
DEFAULT_DISTRIBUTION_NAME = "runcomfy-models"
DEFAULT_IMPORT_NAME = "runcomfy_models"
#: PEP 508's name (the packaging spec's core metadata ``Name``), ASCII, case-insensitive.
_DISTRIBUTION_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)
#: One ASCII identifier: the package is one folder, ``python/<name>/``. Non-ASCII identifiers
#: are valid Python but are spelled differently by file systems (NFC/NFD).
_IMPORT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: What the generated package or ``runcomfy-codegen run`` imports besides the standard library:
#: a package of the same name would hide it (or be hidden) on ``sys.path``.
_TAKEN_IMPORT_NAMES = frozenset(
    {
        "annotated_types",
        "anyio",
        "certifi",
        "generator",
        "h11",
        "httpcore",
        "httpx",
        "idna",
        "imagesize",
        "pydantic",
        "pydantic_core",
        "sniffio",
        "typing_extensions",
    }
)


def import_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be the generated package's import name, or None when it can."""
    if not _IMPORT_NAME.fullmatch(name):
        return f"{name!r} is not one Python identifier (letters, digits, _; no dots or slashes)"
    if keyword.iskeyword(name):
        return f"{name!r} is a Python keyword"
    if name in sys.stdlib_module_names:
        return f"{name!r} would shadow the standard library module {name}"
    if name in _TAKEN_IMPORT_NAMES:
        return f"{name!r} would shadow {name}, which the generated package or the generator imports"
    return None


def distribution_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be the generated distribution's name, or None when it can."""
    if not _DISTRIBUTION_NAME.fullmatch(name):
        return (
            f"{name!r} is not a distribution name (PEP 508: letters, digits, '.', '_', '-', "
            "starting and ending with a letter or digit)"
        )
    return None


@dataclass(frozen=True)
class PackageNames:
    """What the generated package is called: ``pip install <distribution_name>``,
    ``import <import_name>``.

    Checked where they are read (the file, the flags); the defaults are RunComfy's own.
    """

    distribution_name: str = DEFAULT_DISTRIBUTION_NAME
    import_name: str = DEFAULT_IMPORT_NAME


@dataclass(frozen=True)
class RuleIgnore:
    """A rule skipped everywhere, and why."""

    rule: str
    reason: str


@dataclass(frozen=True)
class FileIgnore:
    """Rules skipped in the files a glob matches, and why."""

    #: fnmatch glob against the file's path relative to :attr:`Config.root`, with ``/``;
    #: ``*`` also matches ``/``.
    path: str
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class SeverityOverride:
    """A rule reported at another severity than its own, and why."""

    rule: str
    severity: Severity
    reason: str


@dataclass(frozen=True)
class LintConfig:
    fail_on: Severity | None = None
    baseline: Path | None = None
    ignore: tuple[RuleIgnore, ...] = ()
    per_file_ignores: tuple[FileIgnore, ...] = ()
    severity: tuple[SeverityOverride, ...] = ()


@dataclass(frozen=True)
class Config:
    """The settings of one project; ``None`` means "not set: the command's own default"."""

    #: The file read, as the user would name it; None when no file was read.
    file: Path | None = None
    #: The folder that relative paths and per-file globs in the file are relative to.
    root: Path = field(default_factory=Path.cwd)
    #: Paths below are already joined to ``root`` and shown relative to the current folder.
    schemas_dir: Path | None = None
    out_dir: Path | None = None
    templates_dir: Path | None = None
    base_url: str | None = None
    distribution_name: str | None = None
    import_name: str | None = None
    lint: LintConfig = LintConfig()


def _has_table(document: Mapping[str, Any]) -> bool:
    tool = document.get("tool")
    return isinstance(tool, dict) and "runcomfy-codegen" in tool


def _parse(path: Path) -> dict[str, Any]:
    shown = str(_shown(path.absolute()))
    try:
        data = read_bounded(path, MAX_CONFIG_BYTES, "the configuration is")
    except InputError as error:
        raise InputError(shown, error.message) from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(shown, f"not valid TOML: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(shown, f"not valid TOML: {exc}") from None
    except RecursionError:
        raise InputError(shown, "not usable TOML: nested too deeply") from None


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.runcomfy-codegen]`` table at or above
    ``start``, or None."""
    start = start.absolute()
    for folder in (start, *start.parents):
        candidate = folder / PYPROJECT
        if candidate.is_file() and _has_table(_parse(candidate)):
            return candidate
    return None


def load_config(explicit: Path | None = None, isolated: bool = False) -> Config:
    """The configuration for a command run from the current folder.

    ``explicit`` (``--config``) must exist; ``isolated`` (``--isolated``) reads no file.
    """
    if isolated:
        return Config()
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(str(explicit), "no such configuration file")
        return read_config(explicit)
    found = find_config(Path.cwd())
    return Config() if found is None else read_config(found)


def read_config(path: Path) -> Config:
    """Read and check one configuration file (see the module docstring)."""
    shown = _shown(path.absolute())
    document = _parse(path)
    if path.name == PYPROJECT:
        if not _has_table(document):
            raise InputError(str(shown), f"has no [{TABLE}] table")
        table, prefix = document["tool"]["runcomfy-codegen"], TABLE
    else:
        table, prefix = document, ""
    reader = _Reader(shown, path.absolute().parent)
    return reader.config(reader.table(table, prefix), prefix)


def _shown(path: Path) -> Path:
    """``path`` relative to the current folder when it can be, as users name files."""
    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive (Windows)
        return path


def _key(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


#: TOML's names for what tomllib returns (bool before int: a bool is an int in Python).
_TOML_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (str, "a string"),
    (list, "an array"),
    (dict, "a table"),
)


def _toml_name(kind: type) -> str:
    return next((name for k, name in _TOML_NAMES if issubclass(kind, k)), "a date or time")


class _Reader:
    """Checks values as it reads them; every error names the file and the dotted key."""

    def __init__(self, file: Path, root: Path) -> None:
        self.file = file
        self.root = root

    def fail(self, key: str, problem: str) -> InputError:
        return InputError(str(self.file), f"{key}: {problem}")

    def table(self, value: object, key: str) -> dict[str, Any]:
        return self.typed(value, dict, key)

    def typed(self, value: object, kind: type[_T], key: str) -> _T:
        if not isinstance(value, kind):
            raise self.fail(key, f"must be {_toml_name(kind)}, not {_toml_name(type(value))}")
        return value

    def known_keys(self, table: Mapping[str, Any], known: tuple[str, ...], key: str) -> None:
        for name in table:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
                raise self.fail(_key(key, name), f"unknown key{hint}")

    def text(self, value: object, key: str) -> str:
        text = self.typed(value, str, key)
        if not text.strip():
            raise self.fail(key, "must not be empty")
        return text

    def one_line(self, value: object, key: str) -> str:
        text = self.text(value, key)
        if "\n" in text or "\r" in text:
            raise self.fail(key, "must be one line")
        return text

    def path(self, value: object, key: str) -> Path:
        return _shown(self.root / self.text(value, key))

    def import_name(self, value: object, key: str) -> str:
        return self._name(value, key, import_name_problem)

    def distribution_name(self, value: object, key: str) -> str:
        return self._name(value, key, distribution_name_problem)

    def _name(self, value: object, key: str, problem_of: Callable[[str], str | None]) -> str:
        name = self.typed(value, str, key)
        problem = problem_of(name)
        if problem is not None:
            raise self.fail(key, problem)
        return name

    def rule(self, value: object, key: str) -> str:
        code = self.text(value, key)
        if code not in _RULE_CODES:
            raise self.fail(key, f"unknown rule code {code!r} (see docs/lint-rules.md)")
        return code

    def severity(self, value: object, key: str) -> Severity:
        text = self.text(value, key)
        if text not in _SEVERITIES:
            raise self.fail(key, f"must be one of {', '.join(_SEVERITIES)}, not {text!r}")
        return Severity(text)

    def url(self, value: object, key: str) -> str:
        text = self.text(value, key)
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.fail(key, f"must be an absolute http(s) URL, not {text!r}")
        return text

    def entries(
        self, value: object, key: str, read: Callable[[dict[str, Any], str], _T]
    ) -> tuple[_T, ...]:
        items = self.typed(value, list, key)
        return tuple(
            read(self.table(item, _key(key, i)), _key(key, i)) for i, item in enumerate(items)
        )

    def reason(self, entry: Mapping[str, Any], key: str) -> str:
        if "reason" not in entry:
            raise self.fail(key, "needs a 'reason': one line saying why")
        return self.one_line(entry["reason"], _key(key, "reason"))

    def required(self, entry: Mapping[str, Any], name: str, key: str) -> object:
        if name not in entry:
            raise self.fail(key, f"needs {name!r}")
        return entry[name]

    # The schema of the file: one method per table.

    def config(self, table: dict[str, Any], prefix: str) -> Config:
        get = table.get
        self.known_keys(table, _TOP_KEYS, prefix)
        return Config(
            file=self.file,
            root=self.root,
            schemas_dir=self._optional(table, prefix, "schemas-dir", self.path),
            out_dir=self._optional(table, prefix, "out-dir", self.path),
            templates_dir=self._optional(table, prefix, "templates-dir", self.path),
            base_url=self._optional(table, prefix, "base-url", self.url),
            distribution_name=self._optional(
                table, prefix, "distribution-name", self.distribution_name
            ),
            import_name=self._optional(table, prefix, "import-name", self.import_name),
            lint=self.lint(get("lint", {}), _key(prefix, "lint")),
        )

    def _optional(
        self,
        table: Mapping[str, Any],
        prefix: str,
        name: str,
        read: Callable[[object, str], _T],
    ) -> _T | None:
        """``table[name]`` read by ``read``, or None (the command's default) when absent."""
        return read(table[name], _key(prefix, name)) if name in table else None

    def lint(self, value: object, key: str) -> LintConfig:
        table = self.table(value, key)
        self.known_keys(table, _LINT_KEYS, key)
        get = table.get
        return LintConfig(
            fail_on=self._optional(table, key, "fail-on", self.severity),
            baseline=self._optional(table, key, "baseline", self.path),
            ignore=self.entries(get("ignore", []), _key(key, "ignore"), self.rule_ignore),
            per_file_ignores=self.entries(
                get("per-file-ignores", []), _key(key, "per-file-ignores"), self.file_ignore
            ),
            severity=self.entries(get("severity", []), _key(key, "severity"), self.override),
        )

    def rule_ignore(self, entry: dict[str, Any], key: str) -> RuleIgnore:
        self.known_keys(entry, ("rule", "reason"), key)
        rule = self.rule(self.required(entry, "rule", key), _key(key, "rule"))
        return RuleIgnore(rule, self.reason(entry, key))

    def file_ignore(self, entry: dict[str, Any], key: str) -> FileIgnore:
        self.known_keys(entry, ("path", "rules", "reason"), key)
        path = self.text(self.required(entry, "path", key), _key(key, "path"))
        rules_key = _key(key, "rules")
        codes = self.typed(self.required(entry, "rules", key), list, rules_key)
        if not codes:
            raise self.fail(rules_key, "must name at least one rule")
        rules = tuple(self.rule(code, _key(rules_key, i)) for i, code in enumerate(codes))
        return FileIgnore(path.replace("\\", "/"), rules, self.reason(entry, key))

    def override(self, entry: dict[str, Any], key: str) -> SeverityOverride:
        self.known_keys(entry, ("rule", "severity", "reason"), key)
        rule = self.rule(self.required(entry, "rule", key), _key(key, "rule"))
        severity = self.severity(self.required(entry, "severity", key), _key(key, "severity"))
        return SeverityOverride(rule, severity, self.reason(entry, key))


_TOP_KEYS = (
    "base-url",
    "distribution-name",
    "import-name",
    "lint",
    "out-dir",
    "schemas-dir",
    "templates-dir",
)
_LINT_KEYS = ("baseline", "fail-on", "ignore", "per-file-ignores", "severity")
_RULE_CODES = frozenset(r.code for r in RULES)
_SEVERITIES = tuple(s.value for s in reversed(Severity))
