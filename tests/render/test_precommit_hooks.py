"""The hooks of .pre-commit-hooks.yaml run real commands: exit 1 and a diff on drift."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.hooks import hook, run_hook
from tests.support.paths import ROOT


@pytest.mark.parametrize("hook_id", ["runcomfy-codegen-check", "runcomfy-codegen-generate"])
def test_hooks_are_well_formed(hook_id: str) -> None:
    entry = hook(hook_id)
    assert entry["language"] == "python"  # pre-commit installs this project into the hook's env
    assert entry["pass_filenames"] is False
    assert entry["entry"].startswith("runcomfy-codegen generate")


def test_generate_hook_then_check_hook_passes_and_fails_on_drift(tmp_path: Path) -> None:
    model = "schemas/runwayml/runway-aleph/video-to-video.json"
    (tmp_path / model).parent.mkdir(parents=True)
    shutil.copy(ROOT / model, tmp_path / model)
    status, _ = run_hook("runcomfy-codegen-generate", tmp_path)
    assert status == 0
    assert (tmp_path / "generated" / "docs" / "index.md").exists()
    status, output = run_hook("runcomfy-codegen-check", tmp_path)
    assert status == 0, output
    page = tmp_path / "generated/docs/runwayml/runway-aleph/video-to-video.md"
    page.write_text(page.read_text() + "edited by hand\n")
    status, output = run_hook("runcomfy-codegen-check", tmp_path)
    assert status == 1
    assert "+++ b/docs/runwayml/runway-aleph/video-to-video.md" in output  # a unified diff
    assert "-edited by hand" in output
