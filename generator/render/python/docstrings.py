"""Docstrings of the generated code, written from the IR: what ``help()`` and IDEs show.

The text (Google style, like the Stainless SDKs: a summary, ``Args:``, ``Returns:``,
``Raises:``) is built here; :func:`docstring_source` turns it into a triple-quoted literal in
which schema text can do no harm: backslashes, quotes that would close the string, control
characters and Unicode line separators are escaped, so the docstring reads back exactly as
written and nothing in it is ever code.
"""

from __future__ import annotations

import json
import textwrap
import unicodedata
from typing import Any

from generator.schema.ir import Constraints, FieldSpec, ModelSpec, OutputFieldSpec

__all__ = [
    "attribute_doc",
    "client_doc",
    "docstring_source",
    "input_class_doc",
    "method_doc",
    "output_class_doc",
]

_WIDTH = 92
# Categories a docstring must not hold raw: controls, format characters (bidi overrides),
# line/paragraph separators, surrogates, private use and unassigned code points.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _escape_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char == "\n":
        return char
    if unicodedata.category(char) in _ESCAPED_CATEGORIES:
        code = ord(char)
        if code <= 0xFF:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return char


def docstring_source(text: str, indent: int) -> str:
    """``text`` as a ``\"\"\"...\"\"\"`` literal indented by ``indent`` spaces (safe, readable)."""
    escaped = "".join(_escape_char(char) for char in text.strip())
    # A quote that starts a run of three, or ends the text, would close the literal.
    chars = list(escaped)
    for index, char in enumerate(chars):
        following = chars[index + 1] if index + 1 < len(chars) else None
        if char == '"' and (following == '"' or following is None):
            chars[index] = '\\"'
    body = "".join(chars)
    pad = " " * indent
    lines = [line.rstrip() for line in body.split("\n")]
    if len(lines) == 1:
        return f'{pad}"""{lines[0]}"""'
    rest = "\n".join(pad + line if line else "" for line in lines[1:])
    return f'{pad}"""{lines[0]}\n{rest}\n{pad}"""'


def _clean(text: str | None) -> str:
    """Schema prose on one line: whitespace runs (newlines included) become one space."""
    return " ".join((text or "").split())


def _wrap(text: str, indent: str, first: str = "", hanging: str = "") -> list[str]:
    """``text`` wrapped; ``first`` leads the first line, ``hanging`` indents the others more."""
    return textwrap.wrap(
        text,
        width=_WIDTH,
        initial_indent=indent + first,
        subsequent_indent=indent + hanging,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent + first.rstrip()]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _sentence(text: str) -> str:
    return text if not text or text.endswith((".", "!", "?", ":", "。")) else text + "."


_PYTHON_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "int | float",
    "boolean": "bool",
    "null": "None",
}


def _python_type(c: Constraints) -> str:
    """The value's Python type (an enum's base type: its options are listed apart)."""
    names = []
    for json_type in c.types or ("object",):
        if json_type == "array":
            names.append(f"list[{_python_type(c.items) if c.items else 'Any'}]")
        elif json_type == "object":
            names.append("dict[str, Any]")
        else:
            names.append(_PYTHON_TYPES.get(json_type, "Any"))
    return " | ".join(names)


def _media_text(field: FieldSpec) -> str | None:
    if field.media is None:
        c = field.constraints
        return "URL" if c.is_url or (c.items is not None and c.items.is_url) else None
    if field.is_array:
        return f"URLs of {field.media.value} files"
    article = "an" if field.media.value[0] in "aeiou" else "a"
    return f"URL of {article} {field.media.value} file"


def _type_text(field: FieldSpec) -> str:
    c = field.constraints
    parts = [f"``{_python_type(c)}``"]
    if (media := _media_text(field)) is not None:
        parts.append(media)
    text = ", ".join(parts)
    limits = []
    if (r := c.range_text()) is not None:
        limits.append(r)
    if c.items is not None and (r := c.items.range_text()) is not None:
        limits.append(f"each item {r}")
    if c.min_length is not None:
        limits.append(f"at least {c.min_length} characters")
    if c.max_length is not None:
        limits.append(f"at most {c.max_length} characters")
    if c.min_items is not None or c.max_items is not None:
        low, high = c.min_items, c.max_items
        if low is not None and low == high:
            limits.append(f"exactly {low} item{'s' if low != 1 else ''}")
        elif low is not None and high is not None:
            limits.append(f"{low} to {high} items")
        elif low is not None:
            limits.append(f"at least {low} items")
        else:
            limits.append(f"at most {high} items")
    if c.pattern is not None:
        limits.append(f"matching ``{c.pattern}``")
    if limits:
        text += "; " + ", ".join(limits)
    return text


def _arg(field: FieldSpec) -> list[str]:
    lead = " ".join(
        part for part in (_sentence(_clean(field.title)), _sentence(_clean(field.description)))
        if part
    )  # fmt: skip
    lines = _wrap(lead or "(undocumented)", "        ", f"{field.python_name}: ", "    ")
    facts = [f"Type: {_type_text(field)}."]
    options = field.enum or (field.constraints.items.enum if field.constraints.items else None)
    if options:
        facts.append("One of: " + ", ".join(f"``{_json(o)}``" for o in options) + ".")
    facts.extend(
        f"Rule: ``{rule.metric.value} {rule.operator.value} {rule.value}``: "
        + _sentence(_clean(rule.message))
        for rule in field.rules
    )
    if field.python_name != field.wire_key:
        facts.append(f"Wire key: ``{field.wire_key}``.")
    if field.required:
        facts.append("Required.")
    elif field.has_default:
        facts.append(f"Default: ``{_json(field.default)}`` (the server's, when left out).")
    else:
        facts.append("Optional.")
    for fact in facts:
        lines.extend(_wrap(fact, "            ", "", "    "))
    return lines


def _title(spec: ModelSpec) -> str:
    """The model's description, else its task in words (``image-to-video``: Image to video)."""
    described = _clean(spec.input_schema.get("description"))
    if described:
        return _sentence(described)
    task = spec.model_id.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ")
    return f"{task[:1].upper()}{task[1:]}."


_RUN_ARGS = [
    "        validate_input: Check the input with the model's validator before sending it",
    "            (default True); False leaves every judgement to the server.",
    "        check_files: Fetch the start of each input file to check the documented size,",
    "            pixel and aspect-ratio rules before paying for a job (default: the client's",
    "            ``check_files``).",
]
_WAIT_ARGS = [
    "        wait_timeout: Deadline in seconds for the whole job: submit, polls and the result",
    "            (default: the client's ``wait_timeout``). The HTTP ``timeout`` of each request",
    "            is the client's.",
    "        on_update: Called with a :class:`StatusUpdate` whenever the status or queue",
    "            position changes.",
    "        include_cost: Ask for the job's ``cost`` with the result (default: the client's",
    "            ``include_cost``).",
]


def method_doc(spec: ModelSpec, method: str) -> str:
    """The docstring of ``submit`` or ``run``: like the model's docs page, per argument."""
    if method == "submit":
        summary = f"Queue a job of ``{spec.model_id}`` and return its handle at once."
        returns = [
            "    Returns:",
            "        A handle: ``status()``, ``result()``, ``cancel()``, ``wait()``.",
        ]
    else:
        summary = f"Run ``{spec.model_id}``: submit a job, wait for it, return its result."
        returns = ["    Returns:", "        The finished job: ``output`` (typed), ``save(dir)``."]
    lines = [summary, ""]
    lines.extend(_wrap(_title(spec), ""))
    lines.extend(["", "Args:"])
    for field in spec.fields:
        lines.extend(line[4:] for line in _arg(field))
    lines.extend(line[4:] for line in _RUN_ARGS)
    if method == "run":
        lines.extend(line[4:] for line in _WAIT_ARGS)
    lines.append("")
    lines.extend(line[4:] for line in returns)
    lines.extend(
        [
            "",
            "Raises:",
            "    InputValidationError: The input breaks the schema (every problem is listed,",
            "        with its Python name and wire key); nothing was sent.",
        ]
    )
    if method == "run":
        lines.extend(
            [
                "    JobFailedError: The job failed on the server.",
                "    DeadlineExceededError: ``wait_timeout`` passed first.",
            ]
        )
    return "\n".join(lines)


def input_class_doc(spec: ModelSpec) -> str:
    lines = [f"The input of ``{spec.model_id}``, keyed by Python name (wire keys are aliases).", ""]
    lines.extend(_wrap(_title(spec), ""))
    lines.extend(
        [
            "",
            "Inputs not given are ``NOT_GIVEN`` and stay out of ``to_wire()`` and every dump:",
            "the server applies its documented default.",
        ]
    )
    return "\n".join(lines)


def _output_line(output: OutputFieldSpec) -> list[str]:
    text = _sentence(_clean(output.description)) or "(undocumented)"
    key = "" if output.python_name == output.wire_key else f" Wire key: ``{output.wire_key}``."
    return [line[4:] for line in _wrap(text + key, "        ", f"{output.python_name}: ")]


def output_class_doc(spec: ModelSpec) -> str:
    lines = [
        f"What a finished job of ``{spec.model_id}`` returns. URLs are ``str``, byte for byte.",
        "",
        "A piece of the answer that does not fit is left out and listed in",
        "``output_warnings``; keys not documented are kept (``model_extra``).",
        "",
        "Attributes:",
    ]
    for output in spec.outputs:
        lines.extend(_output_line(output))
    return "\n".join(lines)


def client_doc(spec: ModelSpec, asynchronous: bool) -> str:
    kind = "async client (awaitable methods)" if asynchronous else "client"
    lines = [f"The {kind} of ``{spec.model_id}``: ``submit`` queues a job, ``run`` waits too.", ""]
    lines.extend(_wrap(_title(spec), ""))
    return "\n".join(lines)


def attribute_doc(spec: ModelSpec) -> str:
    return f"``{spec.model_id}``: {_title(spec)} ``submit``/``run`` take its inputs."
