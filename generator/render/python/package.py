"""The generated package (``runcomfy_models`` unless named otherwise): every file, as
``{relative path: text}``.

Model classes come from datamodel-code-generator (:mod:`.models`); every per-package and
per-model file is laid out by a template under ``python/`` and formatted by black. The runtime
(``generator/runtime/``, plain checked Python) is vendored byte for byte as ``_runtime/``:
it finds the package's names at run time, so one copy serves every name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator.config import PackageNames
from generator.output.release import FIRST_VERSION as PACKAGE_VERSION
from generator.render.naming import class_prefix, module_name
from generator.render.python import docstrings
from generator.render.python.layout import (
    class_header,
    format_long_statements,
    format_python,
    import_from,
)
from generator.render.python.models import KwargSpec, render_model_classes
from generator.render.python.validator import render_validator
from generator.render.templates import default_templates_dir, package_variables
from generator.schema.ir import ModelSpec

__all__ = [
    "PACKAGE_VERSION",
    "render_model_module",
    "render_package_index",
    "render_python_package",
    "runtime_dir",
    "runtime_files",
]

_ROOT = "python"
# Names the model template imports from the standard library whatever the model holds.
_STDLIB_ALWAYS = {"collections.abc": {"Callable", "Mapping"}, "typing": {"Any", "Final"}}
# Names every model module imports from the vendored runtime.
_RUNTIME_ALWAYS = (
    "AsyncModelEndpoint",
    "AsyncRequestHandle",
    "FileInfo",
    "Issue",
    "ModelEndpoint",
    "RequestHandle",
    "Result",
    "StatusUpdate",
    "given",
)
_STDLIB = {"typing", "collections.abc", "datetime", "decimal", "enum", "uuid", "pathlib"}


@dataclass(frozen=True)
class _Kwarg:
    name: str
    wire_key: str
    annotation: str
    default: str | None


@dataclass(frozen=True)
class ModelNames:
    model_id: str
    module: str
    input_class: str
    output_class: str
    client_class: str
    async_client_class: str

    @classmethod
    def of(cls, model_id: str) -> ModelNames:
        prefix = class_prefix(model_id)
        return cls(
            model_id=model_id,
            module=module_name(model_id),
            input_class=f"{prefix}Input",
            output_class=f"{prefix}Output",
            client_class=f"{prefix}Client",
            async_client_class=f"{prefix}AsyncClient",
        )


def _natural(text: str) -> list[str | int]:
    """ruff's import and ``__all__`` order: runs of digits compare as numbers (4k < 480p)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _render_python(env: jinja2.Environment, template_name: str, path: str, **context: Any) -> str:
    """A template's Python, formatted: a bundled template is written in black's layout, so
    black only lays out its long statements; a ``--templates`` one is formatted whole."""
    template = env.get_template(template_name)
    source = template.render(**context, class_header=class_header, import_from=import_from)
    if _is_bundled(template.filename):
        return format_long_statements(source, path)
    return format_python(source, path)


@functools.cache
def _is_bundled(filename: str | None) -> bool:
    """Whether a template file is one of ours (asked once per template, not per model)."""
    if filename is None:
        return False
    return Path(filename).resolve().is_relative_to(default_templates_dir().resolve())


def _isort_key(name: str) -> tuple[int, str]:
    """isort's ``order-by-type``: CONSTANTS, then Classes, then functions."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def _group_imports(pairs: Sequence[tuple[str, str]], stdlib: bool) -> list[tuple[str, list[str]]]:
    modules: dict[str, set[str]] = {}
    if stdlib:
        for module, names in _STDLIB_ALWAYS.items():
            modules.setdefault(module, set()).update(names)
    for module, name in pairs:
        if not name:  # a plain ``import module`` (the template writes it)
            continue
        if (module.split(".")[0] in _STDLIB or module in _STDLIB) == stdlib:
            modules.setdefault(module, set()).add(name)
    # isort order: modules by name, names case-sensitively (constants, classes, functions).
    return [(module, sorted(names)) for module, names in sorted(modules.items())]


def _model_module(spec: ModelSpec, names: ModelNames, env: jinja2.Environment, path: str) -> str:
    class_docs = (docstrings.input_class_doc(spec), docstrings.output_class_doc(spec))
    classes = render_model_classes(spec, names.input_class, names.output_class, class_docs)
    validator = render_validator(spec)
    wire_keys = {f.python_name: f.wire_key for f in spec.fields}
    kwargs = [_kwarg(k, wire_keys[k.name]) for k in classes.kwargs]
    runtime_imports = set(_RUNTIME_ALWAYS)
    if any(k.default == "NOT_GIVEN" for k in kwargs):
        runtime_imports.add("NOT_GIVEN")
    if any("NotGiven" in k.annotation for k in kwargs):
        runtime_imports.add("NotGiven")
    validation_imports = validator.runtime_imports - runtime_imports
    runtime_imports -= validator.runtime_imports - {"Issue"}
    imports = list(classes.imports)
    return _render_python(
        env,
        f"{_ROOT}/model.py.jinja",
        path,
        input_schema=spec.input_schema,
        classes=classes.code,
        validator=validator,
        kwargs=kwargs,
        stdlib_imports=_group_imports(imports, stdlib=True),
        third_party_imports=_group_imports(imports, stdlib=False),
        runtime_imports=sorted(runtime_imports, key=_isort_key),
        validation_imports=sorted(validation_imports, key=_isort_key),
        submit_doc=docstrings.method_doc(spec, "submit"),
        run_doc=docstrings.method_doc(spec, "run"),
        client_doc=docstrings.client_doc(spec, asynchronous=False),
        async_client_doc=docstrings.client_doc(spec, asynchronous=True),
        **names.__dict__,
    )


def _kwarg(kwarg: KwargSpec, wire_key: str) -> _Kwarg:
    return _Kwarg(kwarg.name, wire_key, kwarg.annotation, kwarg.default)


def runtime_dir() -> Path:
    """The runtime package's folder (``generator/runtime``, also inside an installed wheel)."""
    import generator.runtime

    return Path(generator.runtime.__file__).resolve().parent


def runtime_files(package: str) -> dict[str, str]:
    """The vendored runtime, ``{path under generated/: text}``, copied byte for byte."""
    return {
        f"{_ROOT}/{package}/_runtime/{source.name}": source.read_text(encoding="utf-8")
        for source in sorted(runtime_dir().glob("*.py"))
    }


def render_model_module(
    spec: ModelSpec, env: jinja2.Environment, package_names: PackageNames
) -> dict[str, str]:
    """One model's module, formatted: the only file of the package that depends on its schema."""
    names = ModelNames.of(spec.model_id)
    path = f"{_ROOT}/{package_names.import_name}/models/{names.module}.py"
    return {path: _model_module(spec, names, env, path)}


def render_package_index(
    specs: Sequence[ModelSpec],
    env: jinja2.Environment,
    package_names: PackageNames,
    version: str = PACKAGE_VERSION,
) -> dict[str, str]:
    """The package files that list every model (and the runtime): ids, the one-line attribute
    docstrings and the version."""
    models = [ModelNames.of(spec.model_id) for spec in specs]
    attribute_docs = {spec.model_id: docstrings.attribute_doc(spec) for spec in specs}
    # Module order (not model id order): the imports and __all__ of the package come out sorted.
    by_module = sorted(models, key=lambda names: _natural(names.module))
    context: dict[str, object] = {
        "models": by_module,
        "attribute_docs": attribute_docs,
        "version": version,
        **package_variables(package_names),
    }
    pkg = f"{_ROOT}/{package_names.import_name}"
    rendered = {
        f"{_ROOT}/{name}": env.get_template(f"{_ROOT}/{name}.jinja").render(**context)
        for name in ("pyproject.toml", "README.md")
    }
    rendered[f"{pkg}/py.typed"] = env.get_template(f"{_ROOT}/py.typed.jinja").render(**context)
    for path, name in (
        (f"{pkg}/__init__.py", "package_init"),
        (f"{pkg}/models/__init__.py", "models_init"),
    ):
        rendered[path] = _render_python(env, f"{_ROOT}/{name}.py.jinja", path, **context)
    rendered.update(runtime_files(package_names.import_name))
    return rendered


def render_python_package(
    specs: Sequence[ModelSpec],
    env: jinja2.Environment,
    package_names: PackageNames,
    version: str = PACKAGE_VERSION,
) -> dict[str, str]:
    """Every file of ``generated/python/``, keyed by its path relative to ``generated/``."""
    files = render_package_index(specs, env, package_names, version)
    for spec in specs:
        files.update(render_model_module(spec, env, package_names))
    return dict(sorted(files.items()))
