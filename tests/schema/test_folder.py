from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.schema.folder import load_folder
from tests.support.paths import ROOT

MODEL = "runwayml/runway-aleph/video-to-video"


def test_bundled_folder_loads_sorted_by_model_id() -> None:
    ids = [spec.model_id for spec in load_folder(ROOT / "schemas")]
    assert ids == sorted(ids) and len(ids) == 4


def test_two_files_of_one_model_are_refused(tmp_path: Path) -> None:
    source = ROOT / "schemas" / f"{MODEL}.json"
    (tmp_path / MODEL).parent.mkdir(parents=True)
    shutil.copy(source, tmp_path / f"{MODEL}.json")
    shutil.copy(source, tmp_path / "copy.json")
    with pytest.raises(InputError, match=r"is also in"):
        load_folder(tmp_path)


def test_empty_and_missing_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="holds no model files"):
        load_folder(tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        load_folder(tmp_path / "nope")
