"""Pydantic v2 input/output classes from datamodel-code-generator, called in process.

datamodel-code-generator (dcg) gets a copy of the normalized schema prepared for it, and its
output is then corrected on the syntax tree (never with text substitution):

* URL inputs are plain ``str``: dcg would type them ``AnyUrl``, which re-spells URLs (a bare
  host gains a ``/``) and forces callers to build URL objects. The ``format`` is still checked
  by the validator. Outputs keep ``AnyUrl``.
* An optional input without a default comes out of dcg as ``X | None = None``; the schema does
  not allow null, so it becomes ``X | NotGiven = NOT_GIVEN`` and ``to_wire()`` leaves it out.
* A default that fails its own schema (a ``default-invalid`` diagnostic) is not used.
* The input class derives from the package's ``InputModel`` (it adds ``to_wire()``).

Strings reach the result only as AST constants, so ``ast.unparse`` writes them with ``repr``.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Any

from datamodel_code_generator import LiteralType, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType, InputFileType

from generator.schema.ir import FieldSpec, ModelSpec
from generator.schema.rules import VALIDATIONS_KEYWORD

__all__ = ["KwargSpec", "ModelClasses", "render_model_classes"]

#: Keywords that are annotations for people and tools, not something dcg should turn into code.
_DROPPED_FOR_INPUT = ("format", "contentMediaType", VALIDATIONS_KEYWORD, "$id", "$schema")
_INPUT_BASE = "InputModel"
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


def _invalid_defaults(spec: ModelSpec) -> set[str]:
    return {
        d.pointer.removesuffix("/default")
        for d in spec.diagnostics
        if d.code == "default-invalid" and d.pointer.endswith("/default")
    }


def _strip(schema: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {k: v for k, v in schema.items() if k not in keys}
    if isinstance(out.get("items"), dict):
        out["items"] = _strip(out["items"], keys)
    if isinstance(out.get("properties"), dict):  # nested models
        out["properties"] = {
            key: _strip(sub, keys) if isinstance(sub, dict) else sub
            for key, sub in out["properties"].items()
        }
    return out


def _input_schema_for_dcg(spec: ModelSpec, class_name: str) -> dict[str, Any]:
    schema = copy.deepcopy(spec.input_schema)
    invalid = _invalid_defaults(spec)
    properties = {}
    for field in spec.fields:
        prop = _strip(schema["properties"][field.wire_key], _DROPPED_FOR_INPUT)
        if field.pointer in invalid:
            prop.pop("default", None)
        properties[field.wire_key] = prop
    schema["properties"] = properties
    schema["title"] = class_name
    schema.pop("description", None)
    return _strip(schema, ("$id", "$schema"))


def _output_schema_for_dcg(spec: ModelSpec, class_name: str) -> dict[str, Any]:
    schema = _strip(copy.deepcopy(spec.output_schema), ("$id", "$schema"))
    schema["title"] = class_name
    schema.pop("description", None)
    # Outputs are read, not sent: keep keys RunComfy adds later instead of dropping them.
    schema.setdefault("additionalProperties", True)
    return schema


def _split_annotated(node: ast.expr) -> tuple[ast.expr, ast.expr | None]:
    """``Annotated[T, Field(...)]`` -> ``(T, Field(...))``; anything else -> ``(node, None)``."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Annotated"
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


class _InputFixer:
    """Rewrites dcg's input class in place and collects the client's keyword arguments."""

    def __init__(self, spec: ModelSpec) -> None:
        self.by_name: dict[str, FieldSpec] = {f.python_name: f for f in spec.fields}
        self.kwargs: list[KwargSpec] = []

    def fix(self, cls: ast.ClassDef) -> None:
        cls.bases = [ast.Name(id=_INPUT_BASE)]
        seen = []
        for stmt in cls.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            name = stmt.target.id
            if name == "model_config":
                continue
            field = self.by_name.get(name)
            if field is None:
                raise ValueError(f"datamodel-code-generator made an unknown field {name!r}")
            seen.append(name)
            self.kwargs.append(self._fix_field(stmt, field))
        if seen != [f.python_name for f in self.by_name.values()]:
            raise ValueError(f"datamodel-code-generator fields {seen} differ from the IR")

    def _fix_field(self, stmt: ast.AnnAssign, field: FieldSpec) -> KwargSpec:
        inner, meta = _split_annotated(stmt.annotation)
        if stmt.value is None:
            return KwargSpec(field.python_name, ast.unparse(inner), None)
        bare = _without_none(inner)
        if bare is not None and isinstance(stmt.value, ast.Constant) and stmt.value.value is None:
            # Optional without a default: never null on the wire, so a sentinel instead.
            typed = _or_sentinel(bare)
            if meta is None:
                stmt.annotation = typed
            else:
                assert isinstance(stmt.annotation, ast.Subscript)
                stmt.annotation.slice = ast.Tuple(elts=[typed, meta])
            stmt.value = ast.Name(id=_SENTINEL)
            return KwargSpec(field.python_name, ast.unparse(typed), _SENTINEL)
        if not isinstance(ast.literal_eval(stmt.value), list | dict):
            return KwargSpec(field.python_name, ast.unparse(inner), ast.unparse(stmt.value))
        # A list or dict default: a mutable signature default would be shared between calls,
        # so the client leaves it out and the model's own default applies.
        return KwargSpec(field.python_name, ast.unparse(_or_sentinel(inner)), _SENTINEL)


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
                    else (f"{alias.name} as {alias.asname}")
                )
                names[alias.asname or alias.name] = (stmt.module, spelled)
    return names


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


def _main_and_nested(tree: ast.Module, main: str) -> tuple[ast.ClassDef, list[ast.ClassDef]]:
    """dcg's class ``main`` and the nested models (object-typed properties) it made.

    Nested models are renamed ``<main><Name>`` (``LoraInput`` + ``Lora``): unique in the
    module, whatever the schema calls them (a property ``result`` must not shadow ``Result``).
    """
    classes = _classes(tree)
    found = [c for c in classes if c.name == main]
    if len(found) != 1:
        raise ValueError(f"expected one class {main}, got {[c.name for c in classes]}")
    renames = {c.name: main + c.name for c in classes if c.name != main}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in renames:
            node.id = renames[node.id]
        elif isinstance(node, ast.ClassDef) and node.name in renames:
            node.name = renames[node.name]
    return found[0], [c for c in classes if c.name != main]


def render_model_classes(spec: ModelSpec, input_class: str, output_class: str) -> ModelClasses:
    """The input and output classes of one model (after the nested models they use), and the
    client's keyword arguments."""
    aliases = {f.wire_key: f.python_name for f in spec.fields}
    input_tree = _use_import_aliases(
        ast.parse(_dcg(_input_schema_for_dcg(spec, input_class), input_class, aliases))
    )
    output_aliases = {o.wire_key: o.python_name for o in spec.outputs}
    output_tree = _use_import_aliases(
        ast.parse(_dcg(_output_schema_for_dcg(spec, output_class), output_class, output_aliases))
    )
    input_main, input_nested = _main_and_nested(input_tree, input_class)
    output_main, output_nested = _main_and_nested(output_tree, output_class)
    fixer = _InputFixer(spec)
    fixer.fix(input_main)
    classes: list[ast.stmt] = [*input_nested, input_main, *output_nested, output_main]
    available = {**_imports(input_tree), **_imports(output_tree)}
    used = _used_names(classes)
    imports = sorted(spelled for name, spelled in available.items() if name in used)
    code = "\n\n\n".join(ast.unparse(ast.fix_missing_locations(c)) for c in classes)
    return ModelClasses(code=code, imports=tuple(imports), kwargs=tuple(fixer.kwargs))
