from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.schema.documented import load_model_file
from generator.schema.ir import NameOrigin
from generator.schema.names import assign_names
from generator.schema.normalize import normalize
from tests.support.paths import ROOT


def names(*keys: tuple[str, str | None]) -> dict[str, str]:
    return {n.wire_key: n.python_name for n in assign_names(list(keys), {}, "f", "n")}


def test_node_keys_take_ascii_titles() -> None:
    assert names(
        ("169_valuex170_value", "Resolution (W:H)"), ("174_value", "Number of Frames")
    ) == {
        "169_valuex170_value": "resolution",
        "174_value": "number_of_frames",
    }


def test_non_ascii_title_falls_back_to_key_without_node_prefix() -> None:
    assert names(("143_image", "第一幀影像")) == {"143_image": "image"}


def test_renumbered_nodes_keep_their_names() -> None:
    before = names(("143_image", "Image"), ("150_image", "Image"), ("image", None))
    after = names(("212_image", "Image"), ("151_image", "Image"), ("image", None))
    assert list(before.values()) == list(after.values()) == ["image_2", "image_3", "image"]


def test_keywords_reserved_and_hostile_keys_get_safe_names() -> None:
    hostile = names(
        ("class", None),
        ("json", None),
        ("model_config", None),
        ('a"b\nc', None),
        ("{{ x }}", '"""'),
        ("提示", "提示"),
        ("3d", None),
        ("imageURL", None),
    )
    assert hostile == {
        "class": "class_",
        "json": "json_",
        "model_config": "model_config_",
        'a"b\nc': "a_b_c",
        "{{ x }}": "x",
        "提示": hostile["提示"],
        "3d": "n_3d",
        "imageURL": "image_url",
    }
    assert hostile["提示"].startswith("field_")
    for name in hostile.values():
        assert name.isidentifier()


def test_invented_names_are_reported() -> None:
    (named,) = assign_names([("提示", None)], {}, "f", "n")
    assert named.origin is NameOrigin.INVENTED


def test_names_file_overrides(tmp_path: Path) -> None:
    source = ROOT / "schemas/runwayml/runway-aleph/video-to-video.json"
    target = tmp_path / "video-to-video.json"
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "video-to-video.names.json").write_text(json.dumps({"ratio": "aspect"}))
    spec = normalize(load_model_file(target))
    assert spec.field_by_key("ratio").python_name == "aspect"
    assert spec.field_by_key("ratio").name_origin is NameOrigin.OVERRIDE


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nope": "x"}, "unknown wire key"),
        ({"ratio": "class"}, "not a usable Python name"),
        # pydantic's namespace: model_dump/model_config crashed generate ("internal error"),
        # model_foo gave a package warning on import.
        ({"ratio": "model_dump"}, "'model_dump' is not a usable Python name"),
        ({"ratio": "model_config"}, "'model_config' is not a usable Python name"),
        ({"ratio": "model_foo"}, "'model_foo' is not a usable Python name"),
        ({"ratio": "a", "prompt": "a"}, "same Python name"),
    ],
)
def test_bad_names_file(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        assign_names([("ratio", None), ("prompt", None)], overrides, "f", "names.json")
