"""The pieces of pull on their own: the output-medium rule, entries, the all-or-nothing writer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.entry import derived_medium, read_entry
from generator.errors import InputError
from generator.fsutil import apply_batch
from generator.schema.normalize import normalize
from generator.schema.output_medium import medium_from_categories, medium_from_model_id
from generator.serve.catalog import output_kind
from tests.pull.helpers import tree


@pytest.mark.parametrize(
    ("categories", "medium"),
    [
        (("image-to-video",), "video"),
        (("text-to-audio",), "audio"),
        (("text-to-image", "image-to-image"), "image"),
        (("video",), "video"),
        (("text-to-image", "text-to-video"), None),  # two media: the model id decides
        (("upscale",), None),
        ((), None),
    ],
)
def test_medium_from_categories(categories: tuple[str, ...], medium: str | None) -> None:
    assert medium_from_categories(categories) == medium


def test_derived_medium_falls_back_to_the_id_then_image() -> None:
    assert derived_medium("a/b/text-to-video", ("text-to-image", "text-to-video")) == "video"
    assert derived_medium("elevenlabs/elevenlabs/music-generation", ()) == "audio"
    assert derived_medium("a/b/c", ("upscale",)) == "image"
    assert medium_from_model_id("a/b/c") is None


def test_every_corpus_entry_derives_its_documented_output_type(
    corpus: list[dict[str, Any]],
) -> None:
    """With categories as RunComfy names them, the derived medium is the catalog's own."""
    for entry in corpus:
        medium = entry["output_type"].lower()
        assert derived_medium(entry["model_id"], (f"text-to-{medium}",)) == medium
        assert derived_medium(entry["model_id"], ()) == medium  # the id alone agrees


def test_entry_prices_are_checked() -> None:
    for price in (float("nan"), float("inf"), -0.5, True, "0.5"):
        with pytest.raises(InputError, match="base_price_usd"):
            read_entry({"model_id": "a/b", "base_price_usd": price}, "here")
    entry = read_entry({"model_id": "a/b", "base_price_usd": 0, "future_field": 1}, "here")
    assert entry.info.base_price_usd == 0 and entry.input_schema is None


def test_batch_writes_and_deletes_and_cleans_empty_folders(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "old.json").write_text("old")
    (tmp_path / "keep.json").write_text("keep")
    apply_batch(
        {tmp_path / "new" / "x.json": "x\n", tmp_path / "keep.json": "kept\n"},
        [tmp_path / "a" / "b" / "old.json"],
        root=tmp_path,
    )
    assert tree(tmp_path) == {"keep.json": b"kept\n", "new/x.json": b"x\n"}
    assert tmp_path.exists()


def test_batch_failure_puts_everything_back(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text("one")
    (tmp_path / "gone.json").write_text("gone")
    (tmp_path / "blocker").write_text("a file where a folder is needed")
    before = tree(tmp_path)
    with pytest.raises(OSError):
        apply_batch(
            {
                tmp_path / "one.json": "changed",
                tmp_path / "fresh" / "two.json": "two",
                tmp_path / "blocker" / "three.json": "three",
            },
            [tmp_path / "gone.json"],
            root=tmp_path,
        )
    assert tree(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == ["blocker", "gone.json", "one.json"]


def test_batch_failure_while_renaming_puts_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.json", "b.json", "c.json"):
        (tmp_path / name).write_text(name)
    before = tree(tmp_path)
    real_replace = os.replace
    calls = []

    def failing_replace(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 6:  # 3 moved aside, 2 renamed into place, then the disk fails
            raise OSError("disk full")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr("generator.fsutil.os.replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        apply_batch(
            {tmp_path / n: "new " + n for n in ("a.json", "b.json", "new.json")},
            [tmp_path / "c.json"],
            root=tmp_path,
        )
    monkeypatch.undo()
    assert tree(tmp_path) == before


def test_serve_makes_what_the_derived_output_schema_offers() -> None:
    """The categories say video, the id says image: pull derives video, and serve agrees."""
    entry = read_entry(
        {
            "model_id": "acme/painter/image-edit",
            "categories": ["image-to-video"],
            "input_schema": {"type": "object", "properties": {"prompt": {"type": "string"}}},
        },
        "here",
    )
    spec = normalize(entry.to_model())
    assert [output.wire_key for output in spec.outputs] == ["video", "videos"]
    assert output_kind(spec) == "video"
