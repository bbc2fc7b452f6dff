"""The package's public surface: complete, documented, and lazy about model modules."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.support.paths import PACKAGE_ROOT, ROOT

_DOCS = ROOT / "docs" / "client.md"


def _documented_exports() -> set[str]:
    text = _DOCS.read_text(encoding="utf-8")
    section = text.split("## What `runcomfy_models` exports", 1)[1].split("\n## ", 1)[0]
    items = "\n".join(line for line in section.splitlines() if line.startswith(("- ", "  ")))
    return set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", items))


def _run(code: str, cwd: Path = PACKAGE_ROOT) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_all_matches_the_documented_list_and_imports() -> None:
    names = _run("import json, runcomfy_models as p; print(json.dumps(p.__all__))")
    exported = set(json.loads(names))
    assert exported == _documented_exports()
    _run("from runcomfy_models import *; print(__version__)")


def test_every_error_of_the_errors_table_is_exported() -> None:
    text = _DOCS.read_text(encoding="utf-8")
    table = text.split("## Errors", 1)[1].split("\n## ", 1)[0]
    errors = set(re.findall(r"^\| `(\w+)`", table, flags=re.M))
    assert errors and errors <= _documented_exports()


_LAZY = """
import sys
import runcomfy_models as p
assert not [m for m in sys.modules if m.startswith("runcomfy_models.models.")], "eager"
# No pydantic model class is built on import (pydantic.fields loads with the first one).
assert "pydantic.fields" not in sys.modules
client = p.RunComfy(token="t")
# The optional aiohttp backend loads only when asked for.
assert not [m for m in sys.modules if m.startswith(("aiohttp", "httpx_aiohttp"))]
first, second = list(p.MODELS.values())[:2]
getattr(client, first)
loaded = [m for m in sys.modules if m.startswith("runcomfy_models.models.")]
assert loaded == ["runcomfy_models.models." + first], loaded
print(len(p.MODELS))
"""


def test_importing_the_package_imports_no_model_module() -> None:
    assert _run(_LAZY).strip() == "4"


def test_lazy_at_catalog_size(corpus_tree: Path) -> None:
    assert _run(_LAZY, corpus_tree / "generated" / "python").strip() == "120"


_HELP = """
import pydoc
import runcomfy_models as p
from runcomfy_models.models import community_fantasy_portrait_image_to_video as m
page = pydoc.render_doc(m.CommunityFantasyPortraitImageToVideoClient.run, renderer=pydoc.plaintext)
for text in ("Args:", "shift: Shift. Offsets the diffusion sampling schedule",
             "Type: ``int``; 1 <= x <= 15.", "Wire key: ``149_shift``.",
             "Default: ``5``", "Raises:"):
    assert text in page, text
for documented in (p.RunComfy, p.AsyncRunComfy, m.CommunityFantasyPortraitImageToVideoInput,
                   m.CommunityFantasyPortraitImageToVideoOutput, m.validate,
                   p.RunComfy.community_fantasy_portrait_image_to_video,
                   p.AsyncRunComfy.community_fantasy_portrait_image_to_video,
                   m.CommunityFantasyPortraitImageToVideoAsyncClient.submit):
    assert documented.__doc__ and "BaseModel" not in documented.__doc__, documented
print("ok")
"""


def test_help_reads_like_the_docs_page() -> None:
    assert _run(_HELP).strip() == "ok"
