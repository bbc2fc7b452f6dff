"""A model's ``validate()``: straight-line Python emitted from its typed constraints.

The emitted function checks every documented input in schema order (type, then the keywords
of that type, then custom file rules) and appends one :class:`Issue` per problem, so one call
reports everything (fastjsonschema stops at the first error). Each issue carries the JSON
pointer (wire keys), the broken keyword and the input's Python name.

What varies per model is emitted; what does not (the URL rule, JSON equality, file-rule
measuring, messages naming a value's JSON type) is called from the runtime's
``_validation`` module. Schema text reaches the code only through :func:`py_literal`.
Keywords outside :data:`~generator.schema.ir.CHECKED_KEYWORDS` are not checked locally (the
server checks them); normalized RunComfy schemas use none.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from generator.errors import InputError, join_pointer
from generator.render.python.layout import fits
from generator.render.templates import py_block, py_literal
from generator.runtime._validation import Pattern, pointer_token
from generator.schema.ir import Constraints, ModelSpec

__all__ = ["ValidatorCode", "render_validator"]

# Type tests: a fast exact-type check first, the runtime's exact rule for the rest.
_TYPE_TESTS = {
    "string": "isinstance({v}, str)",
    "integer": "(type({v}) is int or is_integer({v}))",
    # ``x - x == 0`` is false for NaN and infinity, which are no JSON numbers.
    "number": "(type({v}) is int or (type({v}) is float and {v} - {v} == 0) or is_number({v}))",
    "boolean": "({v} is True or {v} is False)",
    "array": "isinstance({v}, list)",
    "object": "isinstance({v}, dict)",
    "null": "{v} is None",
}
_TYPE_HELPERS = {"integer": "is_integer", "number": "is_number"}
_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
    "null": "null",
}
_NUMERIC = ("integer", "number")


@dataclass(frozen=True)
class ValidatorCode:
    #: Module-level constants the function uses (key maps, enum sets, rules, patterns).
    constants: str
    #: The ``validate`` function.
    function: str
    #: Names the code imports from the runtime.
    runtime_imports: frozenset[str]


@dataclass
class _Emitter:
    file: str
    lines: list[str] = field(default_factory=list)
    constants: list[str] = field(default_factory=list)
    #: ``issues.append(...)`` lines -> (helper, arguments), for :meth:`laid_out`.
    calls: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    imports: set[str] = field(default_factory=lambda: {"MISSING", "Issue", "not_an_object"})

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def constant(self, prefix: str, source: str) -> str:
        name = f"_{prefix}_{len(self.constants)}"
        self.constants.append(f"{name}: Final = {source}")
        return name

    def literal_constant(self, prefix: str, value: Any) -> str:
        """A constant holding a JSON value, laid out as black lays it out."""
        column = len(f"_{prefix}_{len(self.constants)}: Final = ")
        return self.constant(prefix, py_block(value, column))

    def fail(self, depth: int, helper: str, *args: str) -> None:
        """``issues.append(<helper>(<args>))``: ``args`` are Python source."""
        self.imports.add(helper)
        text = f"issues.append({helper}({', '.join(args)}))"
        self.calls[text] = (helper, args)
        self.line(depth, text)

    def laid_out(self) -> list[str]:
        """The lines, each ``issues.append(...)`` too long for its line as black lays it out
        (decided last: merging blocks changes the depth of lines)."""
        out: list[str] = []
        for line in self.lines:
            call = self.calls.get(line.strip())
            out += [line] if call is None or fits(line) else _call_lines(line, *call)
        return out

    def broken(self, depth: int, ptr: str, name: str, rule: str, wanted: str, value: str) -> None:
        """``must <wanted>, not <value>`` (``value``: source of the value shown)."""
        self.fail(depth, "broken", ptr, name, py_literal(rule), py_literal(wanted), value)

    def node(self, c: Constraints, var: str, ptr: str, name: str, depth: int, pointer: str) -> None:
        """Check value ``var`` (at pointer expression ``ptr``) against ``c``."""
        body_depth = depth
        known = [t for t in c.types if t in _TYPE_TESTS]
        if known:
            test = " or ".join(_TYPE_TESTS[t].format(v=var) for t in known)
            self.imports.update(_TYPE_HELPERS[t] for t in known if t in _TYPE_HELPERS)
            expected = py_literal(" or ".join(_TYPE_WORDS[t] for t in known))
            self.line(depth, f"if not {test}:" if len(known) == 1 else f"if not ({test}):")
            self.fail(depth + 1, "wrong_type", ptr, name, expected, var)
            self.line(depth, "else:")
            body_depth = depth + 1
        start = len(self.lines)
        single = known[0] if len(known) == 1 else None
        self.enum(c, var, ptr, name, body_depth, single)
        self.numbers(c, var, ptr, name, body_depth, single)
        self.strings(c, var, ptr, name, body_depth, single, pointer)
        self.arrays(c, var, ptr, name, body_depth, single, pointer)
        self.objects(c, var, ptr, name, body_depth, single, pointer)
        if body_depth != depth and len(self.lines) == start:
            self.lines.pop()  # the "else:" with nothing under it

    def guard(self, single: str | None, kinds: tuple[str, ...], var: str, depth: int) -> int:
        """Open an ``if <var> is of kinds:`` block unless the type check already made sure."""
        if single in kinds:
            return depth
        self.imports.update(_TYPE_HELPERS[k] for k in kinds if k in _TYPE_HELPERS)
        test = " or ".join(_TYPE_TESTS[k].format(v=var) for k in kinds)
        self.line(depth, f"if {test}:")
        return depth + 1

    def enum(
        self, c: Constraints, var: str, ptr: str, name: str, depth: int, single: str | None
    ) -> None:
        if c.has_const:
            self.imports.add("json_equal")
            const = self.constant("CONST", py_literal(c.const))
            self.line(depth, f"if not json_equal({var}, {const}):")
            self.broken(depth + 1, ptr, name, "const", f"be {c.const!r}", var)
        if c.enum is None:
            return
        if _set_is_exact(c):
            # A dict: hashed like a set, and ordered for the message.
            options = self.constant("ENUM", f"dict.fromkeys({py_literal(list(c.enum))})")
            self.line(depth, f"if {var} not in {options}:")
        else:
            self.imports.add("json_in")
            options = self.constant("ENUM", py_literal(list(c.enum)))
            self.line(depth, f"if not json_in({var}, {options}):")
        self.fail(depth + 1, "not_one_of", ptr, name, options, var)

    def numbers(
        self, c: Constraints, var: str, ptr: str, name: str, depth: int, single: str | None
    ) -> None:
        bounds = [
            (c.minimum, "<", ">=", "minimum"),
            (c.maximum, ">", "<=", "maximum"),
            (c.exclusive_minimum, "<=", ">", "exclusiveMinimum"),
            (c.exclusive_maximum, ">=", "<", "exclusiveMaximum"),
        ]
        present = [b for b in bounds if b[0] is not None]
        if not present and c.multiple_of is None:
            return
        depth = self.guard(single, _NUMERIC, var, depth)
        for limit, broken, wanted, rule in present:
            self.line(depth, f"if {var} {broken} {py_literal(limit)}:")
            self.broken(depth + 1, ptr, name, rule, f"be {wanted} {limit}", var)
        if c.multiple_of is not None:
            self.imports.add("is_multiple")
            self.line(depth, f"if not is_multiple({var}, {py_literal(c.multiple_of)}):")
            self.broken(
                depth + 1, ptr, name, "multipleOf", f"be a multiple of {c.multiple_of}", var
            )

    def strings(
        self,
        c: Constraints,
        var: str,
        ptr: str,
        name: str,
        depth: int,
        single: str | None,
        pointer: str,
    ) -> None:
        checks = c.min_length, c.max_length, c.pattern, c.is_url, c.rules
        if not any(check is not None and check is not False and check != () for check in checks):
            return
        depth = self.guard(single, ("string",), var, depth)
        if c.min_length is not None:
            self.line(depth, f"if len({var}) < {c.min_length}:")
            wanted = f"have at least {c.min_length} characters"
            self.broken(depth + 1, ptr, name, "minLength", wanted, f"len({var})")
        if c.max_length is not None:
            self.line(depth, f"if len({var}) > {c.max_length}:")
            wanted = f"have at most {c.max_length} characters"
            self.broken(depth + 1, ptr, name, "maxLength", wanted, f"len({var})")
        if c.pattern is not None:
            try:
                Pattern(c.pattern).compile()
            except ValueError as exc:
                raise InputError(
                    self.file, f"pattern: {exc}", join_pointer(pointer, "pattern")
                ) from None
            self.imports.add("Pattern")
            compiled = self.constant("PATTERN", f"Pattern({py_literal(c.pattern)})")
            self.line(depth, f"if not {compiled}.matches({var}):")
            wanted = f"match the pattern {c.pattern!r}"
            self.broken(depth + 1, ptr, name, "pattern", wanted, var)
        if c.is_url:
            self.imports.add("is_url")
            self.line(depth, f"if not is_url({var}):")
            self.broken(depth + 1, ptr, name, "format", "be an absolute URL", var)
        if c.rules:
            self.file_rules(c, var, ptr, name, depth)

    def file_rules(self, c: Constraints, var: str, ptr: str, name: str, depth: int) -> None:
        self.imports.update({"FileRule", "check_files"})
        rules = ", ".join(
            f"FileRule({py_literal(r.metric.value)}, {py_literal(r.operator.value)}, "
            f"{py_literal(r.value)}, {py_literal(r.message)})"
            for r in c.rules
        )
        rules_name = self.constant("RULES", f"({rules},)")
        # check_files judges a URL, with or without ``files`` (a data: URI carries its own
        # file). The common case, an ordinary URL and no files, is answered by a constant:
        # validate()'s hot path, ~30 ns instead of a ~200 ns call per URL input.
        if _is_literal(ptr):
            self.imports.add("unchecked")
            listed = self.constant("UNCHECKED", f"unchecked({rules_name}, {ptr}, {name})")
            self.line(depth, f'if files is None and {var}[:5].lower() != "data:":')
            self.line(depth + 1, f"issues.extend({listed})")
            self.line(depth, "else:")
            depth += 1
        self.line(depth, f"issues.extend(check_files({var}, {rules_name}, files, {ptr}, {name}))")

    def arrays(
        self,
        c: Constraints,
        var: str,
        ptr: str,
        name: str,
        depth: int,
        single: str | None,
        pointer: str,
    ) -> None:
        if c.min_items is None and c.max_items is None and not c.unique_items and c.items is None:
            return
        depth = self.guard(single, ("array",), var, depth)
        if c.min_items is not None:
            self.line(depth, f"if len({var}) < {c.min_items}:")
            wanted = f"have at least {_items(c.min_items)}"
            self.broken(depth + 1, ptr, name, "minItems", wanted, f"len({var})")
        if c.max_items is not None:
            self.line(depth, f"if len({var}) > {c.max_items}:")
            wanted = f"have at most {_items(c.max_items)}"
            self.broken(depth + 1, ptr, name, "maxItems", wanted, f"len({var})")
        if c.unique_items:
            self.imports.add("has_duplicates")
            self.line(depth, f"if has_duplicates({var}):")
            self.broken(depth + 1, ptr, name, "uniqueItems", "have distinct items", var)
        if c.items is not None and _checks_anything(c.items):
            level = depth
            index, item = f"i{level}", f"item{level}"
            self.line(depth, f"for {index}, {item} in enumerate({var}):")
            at = (
                f"{py_literal(ast.literal_eval(ptr) + '/')} + str({index})"
                if _is_literal(ptr)
                else f'{ptr} + "/" + str({index})'
            )
            self.node(c.items, item, at, name, depth + 1, join_pointer(pointer, "items"))

    def objects(
        self,
        c: Constraints,
        var: str,
        ptr: str,
        name: str,
        depth: int,
        single: str | None,
        pointer: str,
    ) -> None:
        if c.properties is None and not c.required and c.additional_properties:
            return
        depth = self.guard(single, ("object",), var, depth)
        properties = dict(c.properties or ())
        names = dict.fromkeys(properties, name)
        hints = {key: py_literal(key) for key in properties}
        self.properties(
            properties, names, hints, c.required, c.additional_properties, var, ptr, depth,
            pointer,
        )  # fmt: skip

    def properties(
        self,
        properties: dict[str, Constraints],
        names: dict[str, str],
        hints: dict[str, str],
        required: tuple[str, ...],
        additional: bool,
        var: str,
        ptr: str,
        depth: int,
        pointer: str,
    ) -> None:
        """Unknown keys, then each property in order.

        ``names``: key -> source of the Python name its issues carry; ``hints``: key -> source
        of the name an unknown key is compared with (did you mean ...?).
        """
        if not additional:
            self.imports.add("unknown_keys")
            known = self.literal_constant(
                "KEYS", {k: ast.literal_eval(hints[k]) for k in properties}
            )
            self.line(depth, f"if not {known}.keys() >= {var}.keys():")
            self.line(depth + 1, f"issues.extend(unknown_keys({var}, {known}, {ptr}))")
        for key in required:
            if key not in properties:
                self.line(depth, f"if {py_literal(key)} not in {var}:")
                self.fail(depth + 1, "required", _join(ptr, key), py_literal(None))
        value = "value" if depth == 1 else f"value{depth}"
        for key, constraints in properties.items():
            at = _join(ptr, key)
            name = names[key]
            checks = _checks_anything(constraints)
            at_schema = join_pointer(pointer, "properties", key)
            if key in required:
                self.line(depth, f"{value} = {var}.get({py_literal(key)}, MISSING)")
                self.line(depth, f"if {value} is MISSING:")
                self.fail(depth + 1, "required", at, name)
                if checks:
                    self.line(depth, "else:")
                    start = len(self.lines)
                    self.node(constraints, value, at, name, depth + 1, at_schema)
                    self.chain(start, depth)
            elif checks:
                self.line(depth, f"{value} = {var}.get({py_literal(key)}, MISSING)")
                self.line(depth, f"if {value} is not MISSING:")
                start = len(self.lines)
                self.node(constraints, value, at, name, depth + 1, at_schema)
                self.merge(start, depth)

    def chain(self, start: int, depth: int) -> None:
        """``else:`` + one ``if``/``else`` block under it -> ``elif``, one level less deep."""
        inner = "    " * (depth + 1)
        block = self.lines[start:]
        top = [line for line in block if line.startswith(inner) and line[len(inner)] != " "]
        if not (block and block[0].startswith(inner + "if ")):
            return
        if any(line != inner + "else:" for line in top[1:]):
            return
        self.lines[start - 1] = "    " * depth + "el" + block[0].strip()
        self.lines[start:] = [line[4:] for line in block[1:]]

    def merge(self, start: int, depth: int) -> None:
        """``if A:`` + a lone ``if B:`` under it -> ``if A and B:`` (ruff's SIM102)."""
        block = self.lines[start:]
        inner = "    " * (depth + 1)
        top = [line for line in block if line.startswith(inner) and line[len(inner)] != " "]
        if len(top) != 1 or not top[0].startswith(inner + "if ") or not top[0].endswith(":"):
            return
        outer = self.lines[start - 1].strip().removeprefix("if ").removesuffix(":")
        condition = top[0].strip().removeprefix("if ").removesuffix(":")
        if " or " in condition and not condition.startswith("not ("):
            condition = f"({condition})"
        self.lines[start - 1] = "    " * depth + f"if {outer} and {condition}:"
        self.lines[start:] = [line[4:] for line in block[1:]]


def _call_lines(line: str, helper: str, args: tuple[str, ...]) -> list[str]:
    """``issues.append(<helper>(<args>))`` (too long for one line) as black lays it out:
    the call on a line of its own if it fits, else its arguments on one line if they fit,
    else one per line with a trailing comma. An argument that black could split further (a
    pointer built at run time, too long) leaves the line to the formatting step's black."""
    indent = line[: len(line) - len(line.lstrip())]
    call, joined = f"{helper}({', '.join(args)})", ", ".join(args)
    one, two = indent + "    ", indent + "        "
    if fits(one + call):
        return [indent + "issues.append(", one + call, indent + ")"]
    if fits(two + joined):
        inner = [two + joined]
    elif all(fits(f"{two}{a},") or _is_literal(a) or a.isidentifier() for a in args):
        inner = [f"{two}{a}," for a in args]
    else:
        return [line]
    return [indent + "issues.append(", f"{one}{helper}(", *inner, one + ")", indent + ")"]


def _join(ptr: str, key: str) -> str:
    """Pointer expression ``ptr`` + ``/key``: one literal when ``ptr`` is a literal."""
    token = "/" + pointer_token(key)
    if _is_literal(ptr):
        return py_literal(ast.literal_eval(ptr) + token)
    return f"{ptr} + {py_literal(token)}"


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _is_literal(ptr: str) -> bool:
    """Whether the pointer expression is one string literal (not ``"/a/" + str(i0) + "/b"``,
    which also starts and ends with a quote)."""
    try:
        return isinstance(ast.literal_eval(ptr), str)
    except (ValueError, SyntaxError):
        return False


def _checks_anything(c: Constraints) -> bool:
    return c != Constraints(types=(), unchecked=c.unchecked)


def _set_is_exact(c: Constraints) -> bool:
    """Whether ``value in frozenset(enum)`` decides ``enum`` as JSON equality does."""
    assert c.enum is not None
    options = c.enum
    if not all(o is None or isinstance(o, str | int | float) for o in options):
        return False  # lists and objects: unhashable
    if all(isinstance(o, str) for o in options):
        return True  # a string equals only a string
    has_bool = any(isinstance(o, bool) for o in options)
    types = set(c.types)
    if not types:
        return False
    if "boolean" in types:
        return all(isinstance(o, bool) for o in options) and types == {"boolean"}
    return not has_bool


def render_validator(spec: ModelSpec) -> ValidatorCode:
    """The ``validate`` function of one model and the constants it uses."""
    emitter = _Emitter(spec.file)
    schema = spec.input_schema
    properties = {f.wire_key: f.constraints for f in spec.fields}
    names = {f.wire_key: py_literal(f.python_name) for f in spec.fields}
    required = tuple(r for r in schema.get("required", ()) if isinstance(r, str))
    emitter.properties(
        properties, names, names, required, schema.get("additionalProperties", True) is not False,
        "payload", py_literal(""), 1, "/input_schema",
    )  # fmt: skip
    head = [
        "def validate(",
        "    payload: Mapping[str, Any], *, files: Mapping[str, FileInfo] | None = None",
        ") -> list[Issue]:",
        '    """Every way ``payload`` (wire keys) breaks this model\'s documented input contract.',
        "",
        "    One pass reports every problem: each :class:`Issue` has the JSON pointer, the",
        "    Python name and the broken rule. ``files`` maps a URL to what is known of its",
        '    file; file rules without it come back as ``"unchecked"`` issues.',
        '    """',
        "    if not isinstance(payload, Mapping):",
        "        return not_an_object(payload)",
        "    issues: list[Issue] = []",
    ]
    function = "\n".join([*head, *emitter.laid_out(), "    return issues"])
    return ValidatorCode(
        constants="\n".join(emitter.constants),
        function=function,
        runtime_imports=frozenset(emitter.imports),
    )
