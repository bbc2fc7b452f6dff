"""What every generated validator shares: the URL rule, JSON equality, file rules, messages.

Each model module has its own ``validate()``: straight-line code that runcomfy-codegen emits
from the model's schema (``generator/render/python/validator.py``). It reports **every**
problem in one pass, each as an :class:`Issue` with the JSON pointer (wire keys), the Python
name and the broken keyword. The few checks that are not a line of Python live here, once.

The URL rule (``format: uri``): a value is a URL when it is an absolute URI of RFC 3986
(``scheme ":" hier-part ["?" query] ["#" fragment]``), the whole string and nothing else: no
spaces, no backslashes, no unbalanced ``[``, percent signs followed by two hex digits. It is
the rule of jsonschema's ``uri`` format check (``rfc3986-validator``), except that a trailing
newline is refused (that library's regex ends in ``$``, which lets one through). ``serve`` and
``lint`` use :func:`is_url` too.

Custom file rules (``x-runcomfy-validations``: file size, pixels, aspect ratio) are checked
against the :class:`FileInfo` the caller gives for a URL; without it they are reported as
``"unchecked"`` issues, never silently passed. A ``data:`` URI holds its file, so its rules are
checked against the URI's own bytes (as RunComfy's ComfyUI nodes check the references they
send inline). ``file_size_mb`` is measured in decimal megabytes (``size_bytes / 1_000_000``), as
RunComfy's ComfyUI nodes measure it and as the documented messages ("less than 16 MB") say.

Part of the runtime that runcomfy-codegen vendors into every generated package; do not edit.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any, Final, NamedTuple

from ._types import FileInfo, Issue

__all__ = [
    "BYTES_PER_MB",
    "MISSING",
    "FileRule",
    "Pattern",
    "broken",
    "check_files",
    "has_duplicates",
    "header_info",
    "inline_file_info",
    "is_integer",
    "is_multiple",
    "is_number",
    "is_url",
    "json_equal",
    "json_in",
    "not_an_object",
    "not_one_of",
    "pointer_token",
    "required",
    "shown",
    "split_data_uri",
    "type_name",
    "unchecked",
    "unknown_keys",
    "wrong_type",
]

#: ``file_size_mb`` counts decimal megabytes: RunComfy's ComfyUI nodes refuse a reference of
#: ``value * 1_000_000`` bytes or more for ``file_size_mb<`` (runcomfy/inputs.py).
BYTES_PER_MB: Final = 1_000_000

#: What ``payload.get(key, MISSING)`` returns for a key the payload does not have.
MISSING: Final = object()

# RFC 3986, appendix A. The fast form covers the URLs people use (scheme://host[:port]/path?q,
# no percent-escapes, user info or IP literals); it is a strict subset of the full form, which
# decides every other string. Its quantifiers are possessive (``*+``): each character class
# stops at the delimiter that follows it, so backtracking could never find another match, and
# not keeping its state makes an ordinary URL ~20% cheaper to check.
_FAST_URL = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*+://[A-Za-z0-9._~!$&'()*+,;=-]*+(?::[0-9]*+)?+"
    r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@/-]*+)?+(?:\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]*+)?+"
)
_HEX4 = "[0-9A-Fa-f]{1,4}"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)"
_IPV4 = rf"(?:{_OCTET}\.){{3}}{_OCTET}"
_LS32 = rf"(?:{_HEX4}:{_HEX4}|{_IPV4})"
_IPV6 = "|".join(
    [
        rf"(?:{_HEX4}:){{6}}{_LS32}",
        rf"::(?:{_HEX4}:){{5}}{_LS32}",
        rf"(?:{_HEX4})?::(?:{_HEX4}:){{4}}{_LS32}",
        rf"(?:(?:{_HEX4}:){{0,1}}{_HEX4})?::(?:{_HEX4}:){{3}}{_LS32}",
        rf"(?:(?:{_HEX4}:){{0,2}}{_HEX4})?::(?:{_HEX4}:){{2}}{_LS32}",
        rf"(?:(?:{_HEX4}:){{0,3}}{_HEX4})?::{_HEX4}:{_LS32}",
        rf"(?:(?:{_HEX4}:){{0,4}}{_HEX4})?::{_LS32}",
        rf"(?:(?:{_HEX4}:){{0,5}}{_HEX4})?::{_HEX4}",
        rf"(?:(?:{_HEX4}:){{0,6}}{_HEX4})?::",
    ]
)
_PCT = "%[0-9A-Fa-f]{2}"
_SUB = r"!$&'()*+,;="
_UNRESERVED = r"A-Za-z0-9._~\-"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB}:@]|{_PCT})"
_QUERY = rf"(?:[{_UNRESERVED}{_SUB}:@/?]|{_PCT})*"
_AUTHORITY = (
    rf"(?:(?:[{_UNRESERVED}{_SUB}:]|{_PCT})*@)?"
    rf"(?:\[(?:{_IPV6}|v[0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB}:]+)\]"
    rf"|{_IPV4}|(?:[{_UNRESERVED}{_SUB}]|{_PCT})*)"
    r"(?::[0-9]*)?"
)
_URI = (
    rf"[A-Za-z][A-Za-z0-9+.-]*:"
    rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?|{_PCHAR}+(?:/{_PCHAR}*)*|)"
    rf"(?:\?{_QUERY})?(?:\#{_QUERY})?"
)


@cache
def _full_url() -> re.Pattern[str]:
    # Compiled on first need, not at import: most URLs take the fast form.
    return re.compile(_URI)


def is_url(value: str) -> bool:
    """The URL rule of ``format: uri`` (module docstring): an absolute RFC 3986 URI."""
    return _FAST_URL.fullmatch(value) is not None or _full_url().fullmatch(value) is not None


_ENGINE_NOISE = 'Error building "str" validator: SchemaError: '


class Pattern:
    """A schema's ``pattern``, matched as JSON Schema says (anywhere in the string), in time
    linear in the string's length: by pydantic-core's regex engine, the one the generated
    models' ``Field(pattern=...)`` use. The schema is untrusted; a backtracking engine such as
    ``re`` takes exponential time on ``^(a|a)*$`` against ``"a" * 40 + "!"``. Compiled on first
    use; :meth:`compile` raises ``ValueError`` for a pattern that engine refuses."""

    __slots__ = ("_match", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._match: Callable[[str], bool] | None = None

    def compile(self) -> Callable[[str], bool]:
        if self._match is None:
            from pydantic_core import SchemaError, SchemaValidator, core_schema

            schema = core_schema.str_schema(pattern=self.pattern, regex_engine="rust-regex")
            try:
                self._match = SchemaValidator(schema).isinstance_python
            except SchemaError as exc:
                said = " ".join(str(exc).split()).removeprefix(_ENGINE_NOISE)
                raise ValueError(f"not a regular expression the engine accepts: {said}") from None
        return self._match

    def matches(self, value: str) -> bool:
        return self.compile()(value)

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r})"


def pointer_token(token: str | int) -> str:
    """One JSON-pointer reference token (RFC 6901): ``~`` -> ``~0``, ``/`` -> ``~1``."""
    return str(token).replace("~", "~0").replace("/", "~1")


_TYPE_NAMES: Final = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


def type_name(value: Any) -> str:
    """What ``value`` is, in JSON words (``a string``, ``null``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN or infinity (not a JSON number)"
    exact = _TYPE_NAMES.get(type(value))
    if exact is not None:
        return exact
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


_JSON_WORDS: Final = {None: "null", True: "true", False: "false"}


def shown(value: Any) -> str:
    """``repr(value)`` cut to a length that fits in one message; ``null``, ``true`` and
    ``false`` spelled as in JSON (the payload's language), not ``None``/``True``."""
    if value is None or value is True or value is False:
        return _JSON_WORDS[value]
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality (as jsonschema has it): ``true`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def json_in(value: Any, options: Iterable[Any]) -> bool:
    """``enum`` for option lists a set cannot judge (booleans beside numbers, lists)."""
    return any(json_equal(value, option) for option in options)


def has_duplicates(items: list[Any]) -> bool:
    """``uniqueItems`` broken: two items equal as JSON."""
    return any(json_equal(a, b) for i, a in enumerate(items) for b in items[i + 1 :])


def is_multiple(value: float, step: float) -> bool:
    """``multipleOf`` as jsonschema decides it (exact for ints, a float quotient otherwise)."""
    if isinstance(step, float) or isinstance(value, float):
        try:
            quotient = value / step
            return int(quotient) == quotient
        except OverflowError:
            return False
    return value % step == 0


def is_integer(value: Any) -> bool:
    """JSON Schema's ``integer``: an int that is not a bool, or a float with no fraction."""
    if isinstance(value, int):
        return not isinstance(value, bool)
    return isinstance(value, float) and value.is_integer()


def is_number(value: Any) -> bool:
    """JSON Schema's ``number``: an int or finite float that is not a bool (NaN and infinity
    are not JSON: they would fail to send, or pass every bound unnoticed)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and not isinstance(value, bool)


# The issues of generated validators, built only when something is wrong. ``_new(Issue, (...))``
# makes the named tuple from a plain tuple: half the cost of ``Issue(...)``, whose generated
# ``__new__`` takes keywords (an invalid payload builds several).
_new: Final = tuple.__new__


def required(pointer: str, name: str | None) -> Issue:
    return _new(Issue, (pointer, "is required", "required", "error", name))


def wrong_type(pointer: str, name: str | None, expected: str, value: Any) -> Issue:
    message = f"must be {expected}, not {type_name(value)}"
    return _new(Issue, (pointer, message, "type", "error", name))


def broken(pointer: str, name: str | None, rule: str, wanted: str, value: Any) -> Issue:
    """``must <wanted>, not <value>``, e.g. ``must be <= 15, not 20``."""
    return _new(Issue, (pointer, f"must {wanted}, not {shown(value)}", rule, "error", name))


# Texts worked out once per module-level constant of a generated validator (they live as long
# as their module, so their id() is a stable key).
_LISTED: dict[int, str] = {}
_HINTS: dict[int, tuple[dict[str, str], dict[str, str]]] = {}


def not_one_of(pointer: str, name: str | None, options: Iterable[Any], value: Any) -> Issue:
    listed = _LISTED.get(id(options))
    if listed is None:
        listed = _LISTED[id(options)] = ", ".join(shown(option) for option in options)
    message = f"must be one of {listed}, not {shown(value)}"
    return _new(Issue, (pointer, message, "enum", "error", name))


def not_an_object(value: Any) -> list[Issue]:
    return [Issue("", f"the input must be an object, not {type_name(value)}", "type")]


def unknown_keys(
    payload: Mapping[str, Any], known: Mapping[str, str], prefix: str = ""
) -> list[Issue]:
    """An issue per key that is not an input; ``known`` maps wire keys to Python names."""
    hints = _HINTS.get(id(known))
    if hints is None:
        hints = _HINTS[id(known)] = (
            {name: key for key, name in known.items()},
            {str(key).casefold(): key for key in known},
        )
    by_name, by_folded = hints
    issues = []
    for key in payload:  # the caller's order
        if key in known:
            continue
        wire = by_name.get(key)
        if wire is not None:
            hint = f"; the wire key of {key!r} is {wire!r}"
        else:
            folded = by_folded.get(str(key).casefold())
            hint = "" if folded is None else f"; did you mean {folded!r}?"
        pointer = f"{prefix}/{pointer_token(key)}"
        message = f"is not an input of this model{hint}"
        issues.append(_new(Issue, (pointer, message, "additionalProperties", "error", None)))
    return issues


class FileRule(NamedTuple):
    """A documented file rule: ``<metric><operator> <value>`` and its documented message."""

    metric: str
    operator: str
    value: float
    message: str

    @property
    def rule(self) -> str:
        return f"{self.metric}{self.operator}"


_COMPARE: Final[dict[str, Callable[[float, float], bool]]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _measure(metric: str, info: FileInfo) -> float | None:
    if metric == "file_size_mb":
        return None if info.size_bytes is None else info.size_bytes / BYTES_PER_MB
    if metric == "width_pixels":
        return None if info.width is None else float(info.width)
    if metric == "height_pixels":
        return None if info.height is None else float(info.height)
    if metric == "width/height":
        if info.width is None or not info.height:
            return None
        return info.width / info.height
    return None


#: Base64 characters decoded for an inline image's header: 64 KiB of file, enough for the
#: dimensions of every format imagesize reads (the same amount check_files fetches).
_INLINE_HEAD_CHARS = 4 * (64 * 1024 // 3)


def header_info(size: int | None, head: bytes, *, image: bool = True) -> FileInfo:
    """A file's size and, from its first bytes, an image's width and height (else None)."""
    width = height = -1
    if image and head:
        # Imported on first use only: importing a package should not pay for it.
        import imagesize  # type: ignore[import-untyped]  # ships no type information

        try:
            width, height = imagesize.get(io.BytesIO(head))
        except Exception:  # a truncated or odd header: the dimensions stay unknown
            width, height = -1, -1
    return FileInfo(
        size_bytes=size,
        width=width if width > 0 else None,
        height=height if height > 0 else None,
    )


def split_data_uri(url: str) -> tuple[str, bool, str] | None:
    """``(media type, base64?, content)`` of a ``data:`` URI (RFC 2397); None for any other
    string. ``serve`` reads inline references with it too."""
    if url[:5].lower() != "data:":
        return None
    header, comma, content = url[5:].partition(",")
    if not comma:
        return None
    media_type, *parameters = header.split(";")
    encoded = bool(parameters) and parameters[-1].strip().lower() == "base64"
    return media_type.strip(), encoded, content


def inline_file_info(url: str) -> FileInfo | None:
    """What a ``data:`` URI's own bytes tell of its file; None when ``url`` is no ``data:`` URI
    or does not decode. The size of base64 content is counted, not decoded (a reference video
    can be tens of MiB); only an image's first 64 KiB are decoded, for its dimensions."""
    parsed = split_data_uri(url)
    if parsed is None:
        return None
    media_type, encoded, content = parsed
    image = media_type.lower().startswith("image/")
    if not encoded:
        from urllib.parse import unquote_to_bytes

        data = unquote_to_bytes(content)
        return header_info(len(data), data[:_INLINE_HEAD_CHARS], image=image)
    if len(content) % 4:
        return None
    try:
        head = base64.b64decode(content[:_INLINE_HEAD_CHARS], validate=True)
    except (binascii.Error, ValueError):
        return None
    padding = len(content) - len(content.rstrip("="))
    return header_info(len(content) // 4 * 3 - padding, head, image=image)


def unchecked(rules: tuple[FileRule, ...], pointer: str, name: str | None) -> list[Issue]:
    """The rules of a URL whose file is unknown: listed as ``"unchecked"``, never passed."""
    return [Issue(pointer, r.message, r.rule, "unchecked", name) for r in rules]


# The "unchecked" issues of array items, made once per pointer (the lists are never changed).
_UNCHECKED: dict[tuple[int, str], list[Issue]] = {}
_UNCHECKED_LIMIT = 4096


def check_files(
    url: str,
    rules: tuple[FileRule, ...],
    files: Mapping[str, FileInfo] | None,
    pointer: str,
    name: str | None,
) -> list[Issue]:
    """The documented file rules of one URL, against what ``files`` knows of its file."""
    info = None if files is None else files.get(url)
    if info is None and url[:5].lower() == "data:":  # checked here: validate()'s hot path
        info = inline_file_info(url)  # a data: URI holds its file
    if info is None:
        key = (id(rules), pointer)
        listed = _UNCHECKED.get(key)
        if listed is None:
            listed = unchecked(rules, pointer, name)
            if len(_UNCHECKED) < _UNCHECKED_LIMIT:
                _UNCHECKED[key] = listed
        return listed
    issues = []
    for rule in rules:
        measured = _measure(rule.metric, info)
        if measured is None:
            issues.append(Issue(pointer, rule.message, rule.rule, "unchecked", name))
        elif not _COMPARE[rule.operator](measured, rule.value):
            issues.append(Issue(pointer, rule.message, rule.rule, "error", name))
    return issues
