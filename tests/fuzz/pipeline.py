"""One fuzz case through the whole pipeline, and what must hold for it.

import (pages) -> normalize -> generate in memory -> write -> compile -> import of the package
-> the docs' example request accepted by the generated input model. A case may be refused, but
only with the tool's own :class:`InputError` as one line; anything else is a traceback a user
would see. Whatever happens, nothing is written outside the case's folders, a generated
package compiles and imports, and the canary token in the environment appears nowhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import sys
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from generator.errors import InputError
from generator.output.build import build_outputs, load_specs
from generator.output.tree import write_tree
from generator.pages.store import apply_imports, plan_imports, read_page
from generator.render.examples import example_payload
from generator.render.naming import module_name
from generator.render.python.package import ModelNames
from tests.fuzz.strategies import CANARY_TOKEN
from tests.support.layout import changed_by_black

__all__ = ["TALLY", "run_model_file", "run_page"]

#: Figures of the run (docs/security.md): cases, outcomes and the four things that must be 0.
TALLY: Counter[str] = Counter()
PACKAGE = "runcomfy_models"
_STARTED_IN = Path.cwd()


def _listing(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if "__pycache__" not in p.parts
    }


@contextlib.contextmanager
def _canary_environment() -> Iterator[None]:
    saved = os.environ.get("RUNCOMFY_API_TOKEN")
    os.environ["RUNCOMFY_API_TOKEN"] = CANARY_TOKEN
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("RUNCOMFY_API_TOKEN", None)
        else:
            os.environ["RUNCOMFY_API_TOKEN"] = saved


def _refused(error: InputError) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text, text
    if CANARY_TOKEN in text:
        TALLY["token appearances"] += 1
        raise AssertionError(f"the token appears in an error: {text}")
    TALLY["refused (InputError, exit 2)"] += 1
    return "refused"


def _check_paths(files: dict[str, str]) -> None:
    for path in files:
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or "\\" in path or "\x00" in path:
            TALLY["files outside the target"] += 1
            raise AssertionError(f"generate would write outside its folder: {path!r}")


def _unload_package() -> None:
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def _import_package(package_root: Path, schemas: Path) -> None:
    """Compile and import every generated module; the docs' example must pass the model."""
    for path in sorted(package_root.rglob("*.py")):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    _unload_package()
    sys.path.insert(0, str(package_root))
    importlib.invalidate_caches()
    try:
        package = importlib.import_module(PACKAGE)
        for spec in load_specs(schemas):
            names = ModelNames.of(spec.model_id)
            module = importlib.import_module(f"{PACKAGE}.models.{module_name(spec.model_id)}")
            input_class = getattr(module, names.input_class)
            getattr(module, names.output_class).model_rebuild(force=True)
            input_class.model_rebuild(force=True)
            payload = example_payload(spec)
            data = input_class.model_validate(payload)
            assert data.to_wire() == payload or set(data.to_wire()) <= set(payload)
        client = package.RunComfy()
        try:
            if CANARY_TOKEN in repr(client) or CANARY_TOKEN in str(vars(client)):
                TALLY["token appearances"] += 1
                raise AssertionError("the token appears in the client's repr")
        finally:
            client.close()
    finally:
        sys.path.remove(str(package_root))
        _unload_package()


def _generate(case: Path, schemas: Path) -> str:
    try:
        files = build_outputs(schemas)
    except InputError as error:
        return _refused(error)
    _check_paths(files)
    if any(CANARY_TOKEN in text for text in files.values()):
        TALLY["token appearances"] += 1
        raise AssertionError("the token appears in generated output")
    reformatted = changed_by_black(files)
    if reformatted:
        TALLY["files not in black's layout"] += 1
        raise AssertionError(f"a full black pass changes {reformatted}")
    out = case / "out"
    write_tree(out, files)
    try:
        _import_package(out / "python", schemas)
    except AssertionError:
        raise
    except Exception as exc:
        TALLY["broken packages"] += 1
        raise AssertionError(f"the generated package is broken: {exc!r}") from exc
    TALLY["generated, compiled and imported"] += 1
    return "generated"


def _run(case: Path, step: str, text: str) -> str:
    """``case`` is an empty folder; the tool may write only in case/schemas and case/out."""
    TALLY["cases tried"] += 1
    work = case / "cwd"
    work.mkdir()
    schemas = case / "schemas"
    source = case / ("page.txt" if step == "page" else "schemas/fuzz/model/run.json")
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text, encoding="utf-8", errors="surrogatepass")
    before_parent = _listing(case.parent) - {p for p in _listing(case.parent) if p.startswith(
        case.name + "/")}  # fmt: skip
    previous_cwd = Path.cwd()
    os.chdir(work)
    sys.dont_write_bytecode = True
    try:
        with _canary_environment(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = _case(step, source, schemas, case)
    except (AssertionError, InputError):
        _keep_failure(step, text)
        raise
    except Exception:
        TALLY["tracebacks"] += 1
        _keep_failure(step, text)
        raise
    finally:
        os.chdir(previous_cwd)
        sys.dont_write_bytecode = False
    stray = {p for p in _listing(case) if not p.startswith(("schemas", "out", "cwd", "page.txt"))}
    stray |= _listing(work)
    after_parent = {p for p in _listing(case.parent) if not p.startswith(case.name + "/")}
    stray |= after_parent - before_parent - {case.name}
    if stray:
        TALLY["files outside the target"] += 1
        raise AssertionError(f"files written outside the target: {sorted(stray)}")
    return outcome


def _keep_failure(step: str, text: str) -> None:
    """With ``FUZZ_FAILURES=DIR``, every failing case's text is kept there to replay it."""
    folder = os.environ.get("FUZZ_FAILURES")
    if folder:
        folder = str(_STARTED_IN / folder)  # the case runs in its own current folder
        Path(folder).mkdir(parents=True, exist_ok=True)
        name = f"{step}-{hashlib.sha1(text.encode('utf-8', 'replace')).hexdigest()[:12]}.txt"
        (Path(folder) / name).write_text(text, encoding="utf-8", errors="replace")


def _case(step: str, source: Path, schemas: Path, case: Path) -> str:
    if step == "page":
        try:
            results = plan_imports([read_page(source)], schemas)
            apply_imports(results)
        except InputError as error:
            return _refused(error)
        for result in results:
            if not result.path.resolve().is_relative_to(schemas.resolve()):
                TALLY["files outside the target"] += 1
                raise AssertionError(f"import wrote {result.path}")
    return _generate(case, schemas)


def run_model_file(case: Path, text: str) -> str:
    return _run(case, "model", text)


def run_page(case: Path, text: str) -> str:
    return _run(case, "page", text)
