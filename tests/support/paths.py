"""Where the tests find the project, the committed golden record and ../shared."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
GENERATED = ROOT / "generated"
PACKAGE_ROOT = GENERATED / "python"
SNAPSHOTS = ROOT / "tests" / "snapshots"
#: The seed pages and the corpus sit beside the checkout (never copied into it).
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus" / "catalog-input-schemas.json"
