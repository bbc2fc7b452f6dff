"""generated/ is the golden record: regenerating gives it back byte for byte.

After an intended change, `make generate` rewrites it; review and commit the diff.
"""

from __future__ import annotations

from generator.output.build import build_outputs
from generator.output.tree import diff_tree
from tests.support.paths import GENERATED, SCHEMAS


def test_generated_matches_a_fresh_generation() -> None:
    files = build_outputs(SCHEMAS, out_dir=GENERATED)
    diff = diff_tree(GENERATED, files)
    assert diff.clean, "generated/ is stale; run `make generate`:\n" + diff.text[:4000]
    for path, text in files.items():
        assert (GENERATED / path).read_bytes() == text.encode("utf-8"), path


def test_generation_is_deterministic() -> None:
    assert build_outputs(SCHEMAS, out_dir=GENERATED) == build_outputs(SCHEMAS, out_dir=GENERATED)
