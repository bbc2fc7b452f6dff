"""Pydantic v2 input/output classes from datamodel-code-generator, called in process.

datamodel-code-generator (dcg) gets a copy of the normalized schema prepared for it, and its
output is then corrected on the syntax tree (never with text substitution):

* URLs are plain ``str``, inputs and outputs: dcg would type them ``AnyUrl``, which re-spells
  URLs (host lower-cased, a bare host gains a ``/``, spaces escaped), breaking signed URLs.
  The ``format`` of an input is checked by the generated validator.
* Exact payloads: every optional input is ``X | NotGiven = NOT_GIVEN``, documented defaults
  included (dcg gets the schema without ``default``): what the caller leaves out stays out of
  the request, and the server applies its own default. The default is in the docstrings.
* Strict types: the input class validates in pydantic's strict mode (no ``"5"`` -> ``5``, no
  ``True`` for an int), and a ``number`` is ``int | float``, so an int stays an int.
* The input class derives from the package's ``InputModel`` (``to_wire()``, and dumps that
  leave out what was not given), the output class from ``OutputModel`` (lenient: a piece of a
  result that does not fit is left out with a warning, never an exception).
* Each class gets a docstring from the schema (title, description, inputs or outputs).

Strings reach the result only as AST constants, written by :func:`_source`: ``ast.unparse``
with each string and float spelled by ``py_literal`` (``repr``'s escaping, black's quotes).
"""

from __future__ import annotations

import ast
import copy
import functools
import json
from dataclasses import dataclass
from typing import Any

from datamodel_code_generator import LiteralType, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType, InputFileType

from generator.render.python.docstrings import docstring_source
from generator.render.python.layout import fits
from generator.render.templates import py_literal
from generator.schema.ir import FieldSpec, ModelSpec
from generator.schema.rules import VALIDATIONS_KEYWORD

__all__ = ["KwargSpec", "ModelClasses", "render_model_classes"]

#: Keywords that dcg should not turn into code: annotations, checks the generated validator
#: makes, and defaults (the server's to apply, never sent by the client).
_DROPPED_FOR_INPUT = (
    "format",
    "contentMediaType",
    VALIDATIONS_KEYWORD,
    "$id",
    "$schema",
    "default",
)
_DROPPED_FOR_OUTPUT = ("format", "contentMediaType", "$id", "$schema")
_INPUT_BASE = "InputModel"
_OUTPUT_BASE = "OutputModel"
_SENTINEL_TYPE = "NotGiven"
_SENTINEL = "NOT_GIVEN"


@dataclass(frozen=True)
class KwargSpec:
    """One keyword argument of the typed client's ``submit``/``run``."""

    name: str
    #: Python source of the annotation, e.g. ``Literal[81, 141]`` or ``str | NotGiven``.
    annotation: str
    #: Python source of the default, or None when the argument is required.
    default: str | None


@dataclass(frozen=True)
class ModelClasses:
    #: Source of both classes (unformatted; black formats the whole module later).
    code: str
    #: ``(module, name)`` pairs the classes need, e.g. ``("pydantic", "Field")``.
    imports: tuple[tuple[str, str], ...]
    kwargs: tuple[KwargSpec, ...]


#: The main class's name while dcg writes it (see :func:`_dcg_tree`).
_PLACEHOLDER = "RuncomfyCodegenPlaceholderModel"


def _dcg_tree(schema: dict[str, Any], class_name: str, aliases: dict[str, str]) -> ast.Module:
    """dcg's classes for ``schema`` (titled ``class_name``), parsed.

    Many models share a schema (every catalog model of one output type has the same output
    schema), so dcg writes each distinct schema once per process under a placeholder name, and
    the main class is renamed here: the same source as a direct call, at a fraction of the
    cost of a cold catalog run.
    """
    # Key order is kept: dcg writes the fields in the order of the properties.
    text = json.dumps([{**schema, "title": _PLACEHOLDER}, aliases])
    if text.count(_PLACEHOLDER) > 1 or _PLACEHOLDER in class_name:  # cannot tell them apart
        return ast.parse(_dcg(schema, class_name, aliases))
    tree = ast.parse(_dcg_shared(text))
    _Rename({_PLACEHOLDER: class_name}).visit(tree)
    return tree


@functools.lru_cache(maxsize=64)
def _dcg_shared(schema_and_aliases: str) -> str:
    schema, aliases = json.loads(schema_and_aliases)
    return _dcg(schema, _PLACEHOLDER, aliases)


def _dcg(schema: dict[str, Any], class_name: str, aliases: dict[str, str]) -> str:
    """Every option that shapes the output is set, so a dcg default change cannot leak in."""
    result = generate(
        schema,
        input_file_type=InputFileType.JsonSchema,
        output_model_type=DataModelType.PydanticV2BaseModel,
        target_python_version=PythonVersion.PY_311,
        class_name=class_name,
        aliases=aliases,
        field_constraints=True,
        use_annotated=True,
        enum_field_as_literal=LiteralType.All,
        use_standard_collections=True,
        use_union_operator=True,
        allow_population_by_field_name=True,
        use_schema_description=False,
        use_field_description=False,
        use_default_kwarg=False,
        strict_nullable=True,
        snake_case_field=False,
        apply_default_values_for_required_fields=False,
        use_double_quotes=True,
        disable_timestamp=True,
        enable_version_header=False,
        enable_command_header=False,
        custom_file_header="",
        use_title_as_name=False,
        use_exact_imports=True,
        keep_model_order=True,
        formatters=[],
    )
    if not isinstance(result, str):
        raise TypeError(f"datamodel-code-generator returned {type(result).__name__}, not source")
    return result


def _strip(schema: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {k: v for k, v in schema.items() if k not in keys}
    if isinstance(out.get("items"), dict):
        out["items"] = _strip(out["items"], keys)
    if isinstance(out.get("properties"), dict):
        out["properties"] = {
            k: _strip(v, keys) if isinstance(v, dict) else v for k, v in out["properties"].items()
        }
    return out


def _input_schema_for_dcg(spec: ModelSpec, class_name: str) -> dict[str, Any]:
    schema = copy.deepcopy(spec.input_schema)
    schema["properties"] = {
        field.wire_key: _strip(schema["properties"][field.wire_key], _DROPPED_FOR_INPUT)
        for field in spec.fields
    }
    schema["title"] = class_name
    schema.pop("description", None)
    return _strip(schema, ("$id", "$schema"))


def _output_schema_for_dcg(spec: ModelSpec, class_name: str) -> dict[str, Any]:
    schema = _strip(copy.deepcopy(spec.output_schema), _DROPPED_FOR_OUTPUT)
    schema["title"] = class_name
    schema.pop("description", None)
    # Outputs are read, not sent: keep keys RunComfy adds later instead of dropping them.
    schema.setdefault("additionalProperties", True)
    return schema


def _split_annotated(
    node: ast.expr, annotated: str = "Annotated"
) -> tuple[ast.expr, ast.expr | None]:
    """``Annotated[T, Field(...)]`` -> ``(T, Field(...))``; anything else -> ``(node, None)``.
    ``annotated``: the name ``Annotated`` is bound to (dcg imports ``Annotated as
    Annotated_aliased`` when a nested field is named ``Annotated``)."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == annotated
        and isinstance(node.slice, ast.Tuple)
    ):
        return node.slice.elts[0], node.slice.elts[1]
    return node, None


def _without_none(node: ast.expr) -> ast.expr | None:
    """``T | None`` -> ``T``; None when the annotation has no ``| None`` part."""
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.BitOr)
        and isinstance(node.right, ast.Constant)
        and node.right.value is None
    ):
        return node.left
    return None


def _or_sentinel(node: ast.expr) -> ast.expr:
    return ast.BinOp(left=node, op=ast.BitOr(), right=ast.Name(id=_SENTINEL_TYPE))


class _KeepInts(ast.NodeTransformer):
    """``float`` -> ``int | float``: a JSON ``number`` given as an int is sent as an int."""

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == "float":
            return ast.BinOp(left=ast.Name(id="int"), op=ast.BitOr(), right=ast.Name(id="float"))
        return node


class _Rename(ast.NodeTransformer):
    """Renames classes and every reference to them (names and string annotations)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        node.name = self.names.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.names.get(node.id, node.id)
        return node


def _strict_config(stmt: ast.AnnAssign | ast.Assign) -> None:
    """``model_config = ConfigDict(...)`` gains ``strict=True``."""
    call = stmt.value
    if isinstance(call, ast.Call) and not any(k.arg == "strict" for k in call.keywords):
        call.keywords.append(ast.keyword(arg="strict", value=ast.Constant(True)))


class _InputFixer:
    """Rewrites dcg's input class in place and collects the client's keyword arguments."""

    def __init__(self, spec: ModelSpec, annotated: str = "Annotated") -> None:
        self.by_name: dict[str, FieldSpec] = {f.python_name: f for f in spec.fields}
        self.kwargs: list[KwargSpec] = []
        self.annotated = annotated

    def fix(self, cls: ast.ClassDef) -> None:
        cls.bases = [ast.Name(id=_INPUT_BASE)]
        seen = []
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets
            ):
                _strict_config(stmt)
                continue
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            name = stmt.target.id
            if name == "model_config":
                _strict_config(stmt)
                continue
            field = self.by_name.get(name)
            if field is None:
                raise ValueError(f"datamodel-code-generator made an unknown field {name!r}")
            seen.append(name)
            self.kwargs.append(self._fix_field(stmt, field))
        if seen != [f.python_name for f in self.by_name.values()]:
            raise ValueError(f"datamodel-code-generator fields {seen} differ from the IR")

    def _fix_field(self, stmt: ast.AnnAssign, field: FieldSpec) -> KwargSpec:
        stmt.annotation = _KeepInts().visit(stmt.annotation)
        inner, meta = _split_annotated(stmt.annotation, self.annotated)
        if stmt.value is None:
            return KwargSpec(field.python_name, _source(inner), None)
        bare = _without_none(inner)
        if bare is None or not (isinstance(stmt.value, ast.Constant) and stmt.value.value is None):
            raise ValueError(f"datamodel-code-generator made {field.python_name} not optional")
        # Optional: never a default the caller did not give, so a sentinel that leaves it out
        # of the request; null is sent only where the schema allows it and the caller gave it.
        typed = _or_sentinel(inner if "null" in field.constraints.types else bare)
        if meta is None:
            stmt.annotation = typed
        else:
            assert isinstance(stmt.annotation, ast.Subscript)
            stmt.annotation.slice = ast.Tuple(elts=[typed, meta])
        stmt.value = ast.Name(id=_SENTINEL)
        return KwargSpec(field.python_name, _source(typed), _SENTINEL)


def _imports(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """Bound name -> ``(module, "name")`` or ``(module, "name as alias")``: dcg imports
    ``Field as Field_aliased`` when a field or model would shadow ``Field``."""
    names: dict[str, tuple[str, str]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.module != "__future__":
            for alias in stmt.names:
                spelled = (
                    alias.name
                    if alias.asname in (None, alias.name)
                    else f"{alias.name} as {alias.asname}"
                )
                names[alias.asname or alias.name] = (stmt.module, spelled)
    return names


def _bound_name(tree: ast.Module, module: str, name: str) -> str:
    """The name ``from module import name [as alias]`` binds in ``tree`` (``name`` if none)."""
    for bound, (source, spelled) in _imports(tree).items():
        if source == module and spelled.split(" as ")[0] == name:
            return bound
    return name


def _used_names(nodes: list[ast.stmt]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def _classes(tree: ast.Module) -> list[ast.ClassDef]:
    return [stmt for stmt in tree.body if isinstance(stmt, ast.ClassDef)]


def _use_import_aliases(tree: ast.Module) -> ast.Module:
    """Where dcg imports ``Literal as Literal_aliased`` (a field named ``Literal`` would shadow
    it), it still writes a bare ``Literal`` in ``RootModel[...]`` bases; point those at the
    alias too, or the module fails to import (found by tests/fuzz)."""
    aliased: dict[str, str] = {}
    bound: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.asname and alias.asname != alias.name:
                    aliased[alias.name] = alias.asname
                bound.add(alias.asname or alias.name)
        elif isinstance(stmt, ast.ClassDef):
            bound.add(stmt.name)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
            continue
        if node.id in aliased and node.id not in bound:
            node.id = aliased[node.id]
    return tree


class _Spelled(ast.NodeTransformer):
    """Each string and float constant as a name whose text is its literal in black's spelling:
    ``ast.unparse`` writes a name as it is (a constant, with ``repr``'s quotes)."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str | float):
            return ast.copy_location(ast.Name(id=py_literal(node.value)), node)
        return node


def _source(node: ast.AST, *, last_use: bool = False) -> str:
    """``node`` as source in black's layout but for line length (the formatting step's).

    A tree is spelled on a copy, unless this is the ``last_use`` of it (a class written out).
    """
    spelled = _Spelled().visit(node if last_use else copy.deepcopy(node))
    return ast.unparse(ast.fix_missing_locations(spelled))


def _main_last(classes: list[ast.ClassDef], main: str) -> list[ast.ClassDef]:
    """``classes`` with the one class named ``main`` moved to the end."""
    found = [c for c in classes if c.name == main]
    if len(found) != 1:
        raise ValueError(f"expected one class {main}, got {[c.name for c in classes]}")
    return [c for c in classes if c.name != main] + found


def _unsplittable(node: ast.expr) -> bool:
    """A value black cannot split: a name or a literal (spelled as a name by :class:`_Spelled`)."""
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Name | ast.Constant)


def _field_lines(stmt: ast.stmt) -> list[str] | None:
    """A field ``name: Annotated[T, Field(...)] = D`` too long for one line, written as black
    keeps it: every bracket exploded, with a trailing comma (which black never joins back).
    None when a line of that layout would be too long and black could split it further (a
    long ``Literal[...]``): the formatting step then gives the statement to black."""
    if not (
        isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.annotation, ast.Subscript)
        and isinstance(stmt.annotation.slice, ast.Tuple)
        and len(stmt.annotation.slice.elts) == 2
        and isinstance(call := stmt.annotation.slice.elts[1], ast.Call)
        and (stmt.value is None or _unsplittable(stmt.value))
    ):
        return None
    kind = stmt.annotation.slice.elts[0]
    frame = [
        f"{ast.unparse(stmt.target)}: {ast.unparse(stmt.annotation.value)}[",
        f"    {ast.unparse(kind)},",
        f"    {ast.unparse(call.func)}(",
        "    ),",
        "]" if stmt.value is None else f"] = {ast.unparse(stmt.value)}",
    ]
    values = [*call.args, *(keyword.value for keyword in call.keywords)]
    arguments = [f"        {ast.unparse(a)}," for a in [*call.args, *call.keywords]]
    # The class body is indented once: every line must fit there, but for an argument whose
    # value black cannot split (a long description stays as it is).
    if not all(fits("    " + line) for line in frame) or not all(
        fits("    " + line) or _unsplittable(value)
        for line, value in zip(arguments, values, strict=True)
    ):
        return None
    return [*frame[:3], *arguments, *frame[3:]]


def _class_statement(stmt: ast.stmt) -> str:
    """A statement of a class body (unindented): one line, or a long field laid out."""
    line = _source(stmt, last_use=True)  # spells ``stmt`` in place, as _field_lines reads it
    if fits("    " + line):
        return line
    lines = _field_lines(stmt)
    return line if lines is None else "\n".join(lines)


def _class_source(cls: ast.ClassDef, doc: str) -> str:
    """The class with ``doc`` as its docstring, written as readable, escaped source."""
    bases = ", ".join(_source(base, last_use=True) for base in cls.bases)
    body = "\n".join(_class_statement(stmt) for stmt in cls.body)
    indented = "\n".join("    " + line if line else line for line in body.splitlines())
    return f"class {cls.name}({bases}):\n{docstring_source(doc, 4)}\n\n{indented}"


def render_model_classes(
    spec: ModelSpec, input_class: str, output_class: str, docs: tuple[str, str]
) -> ModelClasses:
    """The input and output classes of one model (``docs``: their docstrings), and the
    client's keyword arguments."""
    aliases = {f.wire_key: f.python_name for f in spec.fields}
    input_tree = _use_import_aliases(
        _dcg_tree(_input_schema_for_dcg(spec, input_class), input_class, aliases)
    )
    output_aliases = {o.wire_key: o.python_name for o in spec.outputs}
    output_tree = _use_import_aliases(
        _dcg_tree(_output_schema_for_dcg(spec, output_class), output_class, output_aliases)
    )
    # dcg writes the main class and, for object-typed properties, nested classes in an order
    # of its own; the main class goes last so that readers meet the parts first.
    input_classes = _main_last(_classes(input_tree), input_class)
    output_classes = _main_last(_classes(output_tree), output_class)
    # Object inputs come out of dcg as classes of their own (``Box``): renamed after the input
    # class (``<Input>Box``) so they cannot shadow a name of the module, and strict like it.
    nested = input_classes[:-1]
    renamed = {c.name: f"{input_class}{c.name}" for c in nested}
    for cls in input_classes:
        _Rename(renamed).visit(cls)
    for cls in nested:
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.Assign | ast.AnnAssign)
                and ast.unparse(stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target)
                == "model_config"
            ):
                _strict_config(stmt)
        stmt_fields = [s for s in cls.body if isinstance(s, ast.AnnAssign)]
        for stmt in stmt_fields:
            stmt.annotation = _KeepInts().visit(stmt.annotation)
    # Object outputs likewise (``<Output>Box``); the lenient OutputModel base is the top
    # class's, which keeps a malformed nested value as a warning instead of losing the result.
    output_nested = output_classes[:-1]
    output_renamed = {c.name: f"{output_class}{c.name}" for c in output_nested}
    for cls in output_classes:
        _Rename(output_renamed).visit(cls)
    fixer = _InputFixer(spec, _bound_name(input_tree, "typing", "Annotated"))
    fixer.fix(input_classes[-1])
    output_main = output_classes[-1]
    output_main.bases = [ast.Name(id=_OUTPUT_BASE)]
    classes: list[ast.stmt] = [*input_classes, *output_classes]
    available = {**_imports(input_tree), **_imports(output_tree)}
    used = _used_names(classes)
    imports = sorted(spelled for name, spelled in available.items() if name in used)
    code = "\n\n\n".join(
        [_source(c, last_use=True) for c in [*nested, *output_nested]]
        + [
            _class_source(c, doc)
            for c, doc in zip((input_classes[-1], output_main), docs, strict=True)
        ]
    )
    return ModelClasses(code=code, imports=tuple(imports), kwargs=tuple(fixer.kwargs))
