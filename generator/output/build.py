"""Everything ``generate`` writes, as ``{path relative to the output root: text}``.

Nothing touches the disk here, so ``--check`` and writing share one code path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import jinja2

from generator.errors import InputError
from generator.output.release import CHANGELOG, plan_release
from generator.render.docs import render_docs
from generator.render.naming import class_prefix, module_name
from generator.render.python.package import PACKAGE_VERSION, render_python_package
from generator.render.templates import make_environment, template_failure
from generator.schema.folder import load_folder
from generator.schema.ir import ModelSpec

__all__ = ["build_outputs", "load_specs", "render_outputs"]


def load_specs(schemas_dir: Path) -> list[ModelSpec]:
    """Every model under ``schemas_dir``, normalized, ordered by model id."""
    specs = load_folder(schemas_dir)
    _check_unique_names(specs)
    return specs


def _check_unique_names(specs: Sequence[ModelSpec]) -> None:
    """Two ids that differ only in punctuation would share a module or class name."""
    for naming in (module_name, class_prefix):
        seen: dict[str, ModelSpec] = {}
        for spec in specs:
            name = naming(spec.model_id)
            other = seen.setdefault(name.lower(), spec)
            if other is not spec:
                raise InputError(
                    spec.file,
                    f"model id {spec.model_id!r} gives the generated name {name!r}, "
                    f"as does {other.model_id!r} ({other.file})",
                )


def _schema_files(specs: Sequence[ModelSpec], env: jinja2.Environment) -> dict[str, str]:
    template = env.get_template("schemas/schema.json.jinja")
    files = {}
    for spec in specs:
        for part, schema in (("input", spec.input_schema), ("output", spec.output_schema)):
            files[f"schemas/{spec.model_id}/{part}.schema.json"] = template.render(schema=schema)
    return files


def render_outputs(
    specs: Sequence[ModelSpec], env: jinja2.Environment, version: str = PACKAGE_VERSION
) -> dict[str, str]:
    files = _schema_files(specs, env)
    files.update(render_python_package(specs, env, version))
    files.update(render_docs(specs, env))
    return dict(sorted(files.items()))


def build_outputs(
    schemas_dir: Path, templates_dir: Path | None = None, out_dir: Path | None = None
) -> dict[str, str]:
    """Every generated file for the models under ``schemas_dir``.

    ``out_dir`` is the previous output: its schemas and version decide the new version and
    CHANGELOG entry (see :mod:`generator.output.release`). Without it the package starts at
    its first version.
    """
    if templates_dir is not None and not templates_dir.is_dir():
        raise InputError(str(templates_dir), "the --templates folder does not exist")
    env = make_environment(templates_dir)
    try:
        specs = load_specs(schemas_dir)
        if out_dir is None:
            return render_outputs(specs, env)
        release = plan_release(specs, out_dir)
        files = render_outputs(specs, env, release.version)
        files[CHANGELOG] = release.changelog
        return dict(sorted(files.items()))
    except InputError:
        raise
    except Exception as exc:
        failure = template_failure(exc)
        if failure is None:
            raise
        raise failure from None
