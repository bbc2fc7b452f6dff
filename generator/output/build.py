"""Everything ``generate`` writes, as ``{path relative to the output root: text}``.

Nothing touches the output folder here, so ``--check`` and writing share one code path.

Each model's own files (its two normalized schemas, its Python module, its docs page) depend
on that model alone; they are rendered once per content (:mod:`generator.output.cache`) and,
when many models changed, in a process pool. The index files (package ``__init__``, README,
docs index, version, CHANGELOG) list every model and are cached as a whole. Heavy libraries
(jsonschema, datamodel-code-generator, black) are imported only when something must be
rendered or compared, so an up-to-date tree is checked without them.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import generator
from generator.config import PackageNames
from generator.errors import InputError
from generator.limits import MAX_MODEL_FILE_BYTES, MAX_NAMES_FILE_BYTES, read_bounded
from generator.output.cache import Entry, RenderCache, fingerprint, model_key
from generator.output.release import (
    CHANGELOG,
    RELEASE_MANIFEST,
    ReleasedState,
    plan_release,
    release_manifest,
    released_state,
)
from generator.output.release import schema_paths as schema_paths
from generator.render.naming import class_prefix, module_name
from generator.schema.documented import NAMES_SUFFIX, discover_models

if TYPE_CHECKING:
    import jinja2
    from pydantic import TypeAdapter

    from generator.schema.ir import ModelSpec

__all__ = ["Build", "build", "build_outputs", "load_specs", "render_outputs"]

#: Fewer changed models than this are rendered in this process (a pool costs more to start).
POOL_THRESHOLD = 8
#: ``on_progress(rendered, to_render)``: once before rendering, then after each rendered model.
ProgressCallback = Callable[[int, int], None]


def load_specs(schemas_dir: Path) -> list[ModelSpec]:
    """Every model under ``schemas_dir``, normalized, ordered by model id."""
    from generator.schema.folder import load_folder

    specs = load_folder(schemas_dir)
    _check_unique_names([(spec.model_id, spec.file) for spec in specs])
    return specs


def _check_unique_names(models: Sequence[tuple[str, str]]) -> None:
    """Two ids that differ only in punctuation would share a module or class name."""
    for naming in (module_name, class_prefix):
        seen: dict[str, tuple[str, str]] = {}
        for model_id, file in models:
            name = naming(model_id)
            other = seen.setdefault(name.lower(), (model_id, file))
            if other[0] != model_id:
                raise InputError(
                    file,
                    f"model id {model_id!r} gives the generated name {name!r}, "
                    f"as does {other[0]!r} ({other[1]})",
                )


def _environment(templates_dir: Path | None) -> jinja2.Environment:
    from generator.render.templates import make_environment

    return make_environment(templates_dir)


def model_files(
    spec: ModelSpec, env: jinja2.Environment, package_names: PackageNames
) -> dict[str, str]:
    """The files that depend on this one model: schemas, Python module, docs page."""
    from generator.render.docs import render_model_doc
    from generator.render.python.package import render_model_module

    template = env.get_template("schemas/schema.json.jinja")
    input_path, output_path = schema_paths(spec.model_id)
    files = {
        input_path: template.render(schema=spec.input_schema),
        output_path: template.render(schema=spec.output_schema),
    }
    files.update(render_model_module(spec, env, package_names))
    files.update(render_model_doc(spec, env, package_names))
    return files


def index_files(
    specs: Sequence[ModelSpec],
    env: jinja2.Environment,
    version: str,
    package_names: PackageNames,
) -> dict[str, str]:
    """The files that list every model."""
    from generator.render.docs import render_docs_index
    from generator.render.python.package import render_package_index

    files = render_package_index(specs, env, package_names, version)
    files.update(render_docs_index(specs, env, package_names))
    return files


def render_outputs(
    specs: Sequence[ModelSpec],
    env: jinja2.Environment,
    version: str | None = None,
    package_names: PackageNames | None = None,
) -> dict[str, str]:
    """Every file for ``specs``, without cache or release (the package's first version)."""
    from generator.render.python.package import PACKAGE_VERSION

    names = package_names or PackageNames()
    files = index_files(specs, env, version or PACKAGE_VERSION, names)
    for spec in specs:
        files.update(model_files(spec, env, names))
    return dict(sorted(files.items()))


@dataclass(frozen=True)
class _Source:
    path: Path
    relative: str
    data: bytes
    names: bytes | None
    key: str


def _read_sources(schemas_dir: Path, shared: str) -> list[_Source]:
    if not schemas_dir.is_dir():
        raise InputError(str(schemas_dir), "not a folder of model files")
    sources = []
    for path in discover_models(schemas_dir):
        names_path = path.with_name(path.name[: -len(".json")] + NAMES_SUFFIX)
        # Bounded like every read of a model file: a huge file, /dev/zero or a FIFO is one
        # line, not all of memory or a wait for ever.
        data = read_bounded(path, MAX_MODEL_FILE_BYTES, "a model file")
        names = (
            read_bounded(names_path, MAX_NAMES_FILE_BYTES, "a names file")
            if names_path.exists()
            else None
        )
        relative = path.relative_to(schemas_dir).as_posix()
        sources.append(
            _Source(path, relative, data, names, model_key(shared, relative, data, names))
        )
    if not sources:
        raise InputError(str(schemas_dir), "holds no model files (<model_id>.json)")
    return sources


def _normalize(path: Path) -> ModelSpec:
    from generator.schema.documented import load_model_file
    from generator.schema.normalize import normalize

    return normalize(load_model_file(path))


@functools.cache
def _spec_adapter() -> TypeAdapter[ModelSpec]:
    from pydantic import TypeAdapter

    from generator.schema.ir import ModelSpec

    return TypeAdapter(ModelSpec)


def spec_to_cache(spec: ModelSpec) -> str:
    return _spec_adapter().dump_json(spec).decode()


def spec_from_cache(text: str) -> ModelSpec | None:
    """The IR stored with a model's files; None when it does not validate (then re-normalize)."""
    from pydantic import ValidationError

    try:
        return _spec_adapter().validate_json(text)
    except ValidationError:
        return None


# One environment per worker process, made on its first model.
_WORKER_ENV: dict[str, jinja2.Environment] = {}


def _render_in_worker(
    path: str, templates_dir: str | None, package_names: PackageNames
) -> tuple[ModelSpec, dict[str, str]] | tuple[str, str, str | None]:
    """Runs in a pool process; an input error comes back as data (exceptions may not pickle)."""
    env = _WORKER_ENV.get(str(templates_dir))
    if env is None:
        env = _WORKER_ENV[str(templates_dir)] = _environment(
            None if templates_dir is None else Path(templates_dir)
        )
    from generator.render.templates import template_failure

    try:
        spec = _normalize(Path(path))
        return spec, model_files(spec, env, package_names)
    except InputError as exc:
        return exc.file, exc.message, exc.pointer
    except Exception as exc:  # jinja's exceptions do not survive pickling: send the one line
        error = template_failure(exc)
        if error is None:
            raise
        return error.file, error.message, error.pointer


def _rendered(
    result: tuple[ModelSpec, dict[str, str]] | tuple[str, str, str | None],
) -> tuple[ModelSpec, dict[str, str]]:
    """What :func:`_render_in_worker` sent back, or its input error raised here."""
    if len(result) == 3:
        file, message, pointer = result
        raise InputError(file, message, pointer)
    return result


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork shares the parent's imported libraries with the workers (no second import); where
    # fork is unavailable or unsafe, the platform default is used.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


@dataclass
class Build:
    """What a build made: files by output path, and which model file each path comes from."""

    files: dict[str, str]
    origins: dict[str, str] = field(default_factory=dict)
    rendered: int = 0
    reused: int = 0


class _Builder:
    def __init__(
        self,
        schemas_dir: Path,
        templates_dir: Path | None,
        cache: RenderCache,
        jobs: int,
        on_progress: ProgressCallback | None,
        package_names: PackageNames,
    ) -> None:
        self.schemas_dir = schemas_dir
        self.templates_dir = templates_dir
        self.package_names = package_names
        self.cache = cache
        self.jobs = jobs
        self.on_progress = on_progress
        self._env: jinja2.Environment | None = None
        self.specs: dict[str, ModelSpec] = {}  # by model id, when known in this run
        self.cached_specs: dict[str, str] = {}  # by model id, the IR JSON of a cache entry
        self.paths: dict[str, Path] = {}  # model id -> model file

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            self._env = _environment(self.templates_dir)
        return self._env

    def spec_of(self, model_id: str) -> ModelSpec:
        """A model's IR: from this run, from its cache entry, or normalized now."""
        if model_id not in self.specs:
            cached = self.cached_specs.get(model_id)
            spec = None if cached is None else spec_from_cache(cached)
            if spec is None or spec.model_id != model_id:
                spec = _normalize(self.paths[model_id])
            self.specs[model_id] = spec
        return self.specs[model_id]

    def render(self, missing: list[_Source]) -> dict[str, Entry]:
        """``{key: entry}`` for models without a cache entry, rendered now and stored."""
        done: dict[str, Entry] = {}

        def finish(source: _Source, spec: ModelSpec, files: dict[str, str]) -> None:
            self.specs[spec.model_id] = spec
            done[source.key] = Entry(spec.model_id, files, "")
            self.cache.put(source.key, spec.model_id, files, spec_to_cache(spec))
            if self.on_progress is not None:
                self.on_progress(len(done), len(missing))

        if self.jobs <= 1 or len(missing) < POOL_THRESHOLD:
            for source in missing:
                spec = _normalize(source.path)
                finish(source, spec, model_files(spec, self.env, self.package_names))
            return done
        # The first model is rendered here, before forking: the workers then share what it
        # loaded (the renderers, the templates compiled, the libraries' lazy imports) instead
        # of each loading it again.
        first, rest = missing[0], missing[1:]
        templates = None if self.templates_dir is None else str(self.templates_dir)
        _WORKER_ENV[str(templates)] = self.env
        finish(first, *_rendered(_render_in_worker(str(first.path), templates, self.package_names)))
        with ProcessPoolExecutor(min(self.jobs, len(rest)), mp_context=_pool_context()) as pool:
            futures = [
                pool.submit(_render_in_worker, str(s.path), templates, self.package_names)
                for s in rest
            ]
            for source, future in zip(rest, futures, strict=True):
                finish(source, *_rendered(future.result()))
        return done


def build(
    schemas_dir: Path,
    templates_dir: Path | None = None,
    out_dir: Path | None = None,
    *,
    cache: RenderCache | None = None,
    jobs: int = 1,
    on_progress: ProgressCallback | None = None,
    released: ReleasedState | None = None,
    package_names: PackageNames | None = None,
    mark_released: bool = False,
) -> Build:
    """Every generated file for the models under ``schemas_dir``, for a package named
    ``package_names`` (RunComfy's default names when None).

    ``out_dir`` decides the released state the version and CHANGELOG are planned against
    (see :mod:`generator.output.release`); ``released`` gives it directly. With neither, the
    package is at its first version. Outside git the output keeps its release in a manifest;
    ``mark_released`` records what is generated now as the release (``generate --release``).
    """
    if templates_dir is not None and not templates_dir.is_dir():
        raise InputError(str(templates_dir), "the --templates folder does not exist")
    from generator.render.templates import default_templates_dir

    cache = cache or RenderCache(None)
    names = package_names or PackageNames()
    template_dirs = [d for d in (templates_dir, default_templates_dir()) if d is not None]
    shared = fingerprint(Path(generator.__file__).resolve().parent, template_dirs, names)
    sources = _read_sources(schemas_dir, shared)
    builder = _Builder(schemas_dir, templates_dir, cache, jobs, on_progress, names)
    try:
        entries: dict[str, Entry] = {}
        missing = []
        for source in sources:
            hit = cache.get(source.key)
            if hit is None:
                missing.append(source)
            else:
                entries[source.key] = hit
        if on_progress is not None:
            on_progress(0, len(missing))
        entries.update(builder.render(missing))
        result = Build(files={}, rendered=len(missing), reused=len(sources) - len(missing))
        models: dict[str, _Source] = {}
        for source in sources:
            entry = entries[source.key]
            model_id, files = entry.label, entry.files
            if entry.data:
                builder.cached_specs[model_id] = entry.data
            if model_id in models:
                raise InputError(
                    str(source.path), f"model {model_id!r} is also in {models[model_id].path}"
                )
            models[model_id] = source
            builder.paths[model_id] = source.path
            result.files.update(files)
            result.origins.update(dict.fromkeys(files, str(source.path)))
        _check_unique_names([(m, str(s.path)) for m, s in sorted(models.items())])
        result.files.update(_index(builder, models, result.files, out_dir, released, mark_released))
        result.files = dict(sorted(result.files.items()))
        cache.touch(s.key for s in sources)
        return result
    except InputError:
        raise
    except Exception as exc:  # a template problem is the user's input too
        from generator.render.templates import template_failure

        failure = template_failure(exc)
        if failure is None:
            raise
        raise failure from None


def _index(
    builder: _Builder,
    models: dict[str, _Source],
    files: dict[str, str],
    out_dir: Path | None,
    released: ReleasedState | None,
    mark_released: bool,
) -> dict[str, str]:
    current = {}
    for model_id in models:
        input_path, output_path = schema_paths(model_id)
        current[model_id] = (files[input_path], files[output_path])
    if released is None:
        released = ReleasedState(where="-") if out_dir is None else released_state(out_dir)
    if mark_released and not released.in_manifest:
        raise InputError(
            str(out_dir or "-"),
            "--release is for an output folder outside git: inside git, committing the "
            "generated files is the release",
        )
    release = plan_release(
        current, builder.spec_of, released, builder.package_names.distribution_name
    )
    manifest = {}
    if released.in_manifest:
        if mark_released:
            released = ReleasedState("-", dict(current), release.version, release.changelog)
        manifest[RELEASE_MANIFEST] = release_manifest(released)
    digest = hashlib.sha256(release.version.encode() + b"\0" + release.changelog.encode())
    for model_id in sorted(models):
        digest.update(model_id.encode() + b"\0" + models[model_id].key.encode())
    key = hashlib.sha256(b"index\0" + digest.digest()).hexdigest()
    hit = builder.cache.get(key)
    if hit is not None:
        builder.cache.touch([key])
        return hit.files | manifest
    specs = [builder.spec_of(model_id) for model_id in sorted(models)]
    index = index_files(specs, builder.env, release.version, builder.package_names)
    index[CHANGELOG] = release.changelog
    builder.cache.put(key, "index", index)
    return index | manifest


def build_outputs(
    schemas_dir: Path,
    templates_dir: Path | None = None,
    out_dir: Path | None = None,
    **options: Any,
) -> dict[str, str]:
    """:func:`build`'s files only."""
    return build(schemas_dir, templates_dir, out_dir, **options).files
