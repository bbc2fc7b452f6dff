"""The staged package compiles and imports, checked before it replaces the output folder.

Only the Python files a run adds or changes are checked (all of them on a first run, one
module plus the package ``__init__`` when one model changed): each is compiled in this
process, then one fresh interpreter imports the changed modules from the staged tree. A
failure names the model file the module came from and leaves the output folder untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from generator.errors import InputError
from generator.output.tree import TreeDiff

__all__ = ["verify_package"]

_PACKAGE_ROOT = "python"
# Runs isolated, with the staged package first and then this process's own import path (the
# generated package needs pydantic and httpx, which the generator has); prints the first module
# that fails, as JSON.
_IMPORT = """
import importlib, json, sys
sys.path[:] = [sys.argv[1], *json.loads(sys.argv[2])]
for name in sys.argv[3:]:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        print(json.dumps({"module": name, "error": f"{type(exc).__name__}: {exc}"}))
        sys.exit(3)
"""


def _module_name(path: str) -> str | None:
    """``python/acme_models/models/x.py`` -> ``acme_models.models.x``."""
    if not (path.startswith(_PACKAGE_ROOT + "/") and path.endswith(".py")):
        return None
    parts = path[len(_PACKAGE_ROOT) + 1 : -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or None


def verify_package(staged: Path, diff: TreeDiff, origins: Mapping[str, str]) -> None:
    """Raise :class:`InputError` naming the model file whose generated module is broken."""
    changed = [p for p in (*diff.added, *diff.changed) if _module_name(p) is not None]
    if not changed:
        return
    by_module = {}
    for path in changed:
        source = (staged / path).read_text(encoding="utf-8")
        where = origins.get(path, path)
        try:
            compile(source, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            raise InputError(where, f"the generated {path} does not compile: {exc}") from None
        by_module[_module_name(path)] = where
    # Parents first, so a broken package __init__ is reported as itself.
    modules = sorted((m for m in by_module if m), key=lambda m: (m.count("."), m))
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-B",
            "-c",
            _IMPORT,
            str(staged / _PACKAGE_ROOT),
            json.dumps([p for p in sys.path if p]),
            *modules,
        ],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        timeout=600,
    )
    if done.returncode == 0:
        return
    try:
        failure = json.loads(done.stdout.strip().splitlines()[-1])
        module, error = str(failure["module"]), str(failure["error"])
    except (ValueError, IndexError, KeyError, TypeError):
        # No module named itself: blame the top one (parents come first: the package).
        module, error = modules[0], (done.stderr.strip().splitlines() or ["crashed"])[-1]
    raise InputError(
        by_module.get(module, module), f"the generated {module} does not import: {error}"
    )
