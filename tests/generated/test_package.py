"""The committed runcomfy_models package, imported and run."""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from generator.render.naming import module_name
from generator.schema.ir import ModelSpec, Rule

FANTASY = "community/fantasy-portrait/image-to-video"
RUNWAY = "runwayml/runway-aleph/video-to-video"
DREAMINA = "bytedance/dreamina-3-0/pro/image-to-video"


def _module(model_id: str) -> ModuleType:
    return importlib.import_module(f"runcomfy_models.models.{module_name(model_id)}")


def _input_class(module: ModuleType) -> Any:
    return next(getattr(module, n) for n in module.__all__ if n.endswith("Input"))


@pytest.fixture(autouse=True)
def _package(generated_package: Path) -> None:
    pass


def test_input_by_python_name_and_by_wire_key_dumps_by_alias() -> None:
    model = _input_class(_module(FANTASY))
    by_name = model.model_validate(
        {"prompt": "smile", "video": "https://x/v.mp4", "image": "https://x/i.png", "shift": 3}
    )
    by_key = model.model_validate(
        {"155_positive_prompt": "smile", "160_video": "https://x/v.mp4",
         "143_image": "https://x/i.png", "149_shift": 3}
    )  # fmt: skip
    assert by_name == by_key
    assert by_name.shift == 3
    assert by_name.to_wire() == {
        "155_positive_prompt": "smile",
        "160_video": "https://x/v.mp4",
        "143_image": "https://x/i.png",
        "149_shift": 3,
    }
    dumped = by_name.model_dump(by_alias=True)
    # The documented default is the server's to apply: never dumped, never sent.
    assert "169_valuex170_value" not in dumped and "resolution" not in dumped
    assert by_name.model_dump_json(by_alias=True) == (
        '{"155_positive_prompt":"smile","160_video":"https://x/v.mp4",'
        '"143_image":"https://x/i.png","149_shift":3}'
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"shift": 16},  # maximum 15
        {"resolution": "1x1"},  # not in the enum
        {"number_of_frames": 82},  # Literal[81, 141]
        {"unknown": 1},  # additionalProperties: false
        {"prompt": None},  # never null
        {"shift": "5"},  # strict: no str -> int
        {"shift": True},  # strict: no bool for an int
        {"strength": "1.5"},  # strict: no str -> number
    ],
)
def test_input_rejects_bad_values(bad: dict[str, Any]) -> None:
    model = _input_class(_module(FANTASY))
    good = {"prompt": "p", "video": "https://x/v.mp4", "image": "https://x/i.png"}
    with pytest.raises(pydantic.ValidationError):
        model.model_validate({**good, **bad})


def test_optional_without_default_is_never_null() -> None:
    from runcomfy_models import NOT_GIVEN

    model = _input_class(_module(RUNWAY))
    payload = model.model_validate(
        {"prompt": "p", "video_url": "https://x/v.mp4", "ratio": "1280:720"}
    )
    assert payload.image_url is NOT_GIVEN
    assert payload.to_wire() == {"prompt": "p", "video_url": "https://x/v.mp4", "ratio": "1280:720"}
    with pytest.raises(pydantic.ValidationError):
        model.model_validate({"prompt": "p", "video_url": "https://x/v", "ratio": "1280:720",
                              "image_url": None})  # fmt: skip
    too_long = {"prompt": "p" * 1001, "video_url": "https://x/v.mp4", "ratio": "1280:720"}
    with pytest.raises(pydantic.ValidationError):
        model.model_validate(too_long)


def _measure_breaking(rule: Rule) -> float:
    """A measurement just outside the rule."""
    step = 0.5 if rule.metric.value == "width/height" else 1
    if rule.operator.is_upper_bound:
        return rule.value if rule.operator.is_strict else rule.value + step
    return rule.value if rule.operator.is_strict else rule.value - step


def _file_info(rule: Rule, good: Any) -> Any:
    from runcomfy_models import FileInfo

    bad = _measure_breaking(rule)
    metric = rule.metric.value
    if metric == "file_size_mb":
        size = bad * 1_000_000
        size_bytes = math.ceil(size) if rule.operator.is_upper_bound else math.floor(size)
        return FileInfo(size_bytes=size_bytes, width=good.width, height=good.height)
    if metric == "width_pixels":
        return FileInfo(size_bytes=good.size_bytes, width=int(bad), height=good.height)
    if metric == "height_pixels":
        return FileInfo(size_bytes=good.size_bytes, width=good.width, height=int(bad))
    return FileInfo(size_bytes=good.size_bytes, width=round(bad * 1000), height=1000)


def _valid_payload(spec: ModelSpec) -> dict[str, Any]:
    values = {"string": "text", "integer": 1, "number": 1.0, "boolean": True}
    payload: dict[str, Any] = {}
    for field in spec.fields:
        if field.media is not None:
            url = f"https://example.com/{field.python_name}"
            value: Any = [url] if field.is_array else url
        elif field.enum:
            value = field.enum[0]
        elif field.has_default:
            value = field.default
        else:
            value = values[field.json_type]
        payload[field.wire_key] = value
    return payload


def test_validator_reports_each_documented_rule(bundled_specs: list[ModelSpec]) -> None:
    from runcomfy_models import FileInfo

    good = FileInfo(size_bytes=1024, width=1000, height=1000)
    checked = 0
    for spec in bundled_specs:
        module = _module(spec.model_id)
        payload = _valid_payload(spec)
        urls = {u for f in spec.fields if f.media for u in _urls(payload[f.wire_key])}
        assert module.validate(payload, files=dict.fromkeys(urls, good)) == [], spec.model_id
        for field in spec.fields:
            url = next(iter(_urls(payload[field.wire_key])), None)
            pointer = f"/{field.wire_key}" + ("/0" if field.is_array else "")
            unchecked = [i for i in module.validate(payload) if i.pointer == pointer]
            assert [(i.rule, i.message, i.severity) for i in unchecked] == [
                (r.rule, r.message, "unchecked") for r in field.rules
            ]
            for rule in field.rules:
                files: dict[Any, Any] = {**dict.fromkeys(urls, good), url: _file_info(rule, good)}
                issues = module.validate(payload, files=files)
                assert any(
                    i.pointer == pointer and i.rule == rule.rule and i.message == rule.message
                    and i.is_error
                    for i in issues
                ), (spec.model_id, rule, issues)  # fmt: skip
                checked += 1
    assert checked >= 8  # dreamina has 7 rules, runway 2


def _urls(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value] if isinstance(value, str) else []


def test_validator_documented_messages_verbatim() -> None:
    from runcomfy_models import FileInfo

    module = _module(RUNWAY)
    payload = {"prompt": "p", "video_url": "https://x/v.mp4", "ratio": "1280:720"}
    issues = module.validate(payload, files={"https://x/v.mp4": FileInfo(size_bytes=17_000_000)})
    assert [(i.pointer, i.message, i.rule) for i in issues] == [
        ("/video_url", "File size must be less than 16 MB.", "file_size_mb<")
    ]
    # 16,000,000 bytes exactly breaks "< 16"; just under passes: the unit is decimal MB, as
    # RunComfy's ComfyUI nodes count it (16 MiB would be 16,777,216).
    at_limit = {"https://x/v.mp4": FileInfo(size_bytes=16_000_000)}
    assert len(module.validate(payload, files=at_limit)) == 1
    under = {"https://x/v.mp4": FileInfo(size_bytes=16_000_000 - 1)}
    assert module.validate(payload, files=under) == []


def test_a_data_uri_is_judged_by_its_own_bytes_without_files() -> None:
    """A ``data:`` URI carries its file: its rules are checked with no ``files`` given, for a
    single URL input (Aleph's video_url) as for the items of a list."""
    module = _module(RUNWAY)
    video = "data:video/mp4;base64," + "A" * 24_000_000  # 18,000,000 bytes
    issues = module.validate({"prompt": "p", "video_url": video, "ratio": "1280:720"})
    assert [(i.pointer, i.rule, i.severity) for i in issues] == [
        ("/video_url", "file_size_mb<", "error")
    ]
    small = "data:video/mp4;base64," + "A" * 4_000
    assert module.validate({"prompt": "p", "video_url": small, "ratio": "1280:720"}) == []


def test_validator_lists_every_problem_with_pointers() -> None:
    module = _module(DREAMINA)
    issues = module.validate(
        {"prompt": "x" * 801, "image_urls": [], "frames": 120, "seed": True, "extra": 1}
    )
    found = {(i.pointer, i.rule) for i in issues}
    assert found == {
        ("/prompt", "maxLength"),
        ("/image_urls", "minItems"),
        ("/frames", "enum"),
        ("/seed", "type"),
        ("/extra", "additionalProperties"),
    }
    assert all(i.is_error for i in issues)
    bad_url = module.validate({"prompt": "p", "image_urls": ["not a url"]})
    assert ("/image_urls/0", "format") in {(i.pointer, i.rule) for i in bad_url}


def test_client_wide_object_and_local_validation_before_any_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from runcomfy_models import InputValidationError, RunComfy

    monkeypatch.setenv("RUNCOMFY_API_TOKEN", "token-from-env")
    # Port 9 on 127.0.0.1 refuses connections: a request would fail differently.
    with RunComfy(base_url="http://127.0.0.1:9") as client:
        endpoint = client.bytedance_dreamina_3_0_pro_image_to_video
        assert endpoint is client.bytedance_dreamina_3_0_pro_image_to_video
        assert endpoint.model_id == DREAMINA
        with pytest.raises(InputValidationError) as caught:
            endpoint.submit(prompt="p", image_urls=["not a url"])
    assert [i.pointer for i in caught.value.issues if i.is_error] == ["/image_urls/0"]


def test_output_urls_are_str_byte_for_byte_and_bad_pieces_become_warnings() -> None:
    import json

    module = _module(RUNWAY)
    output_class = next(getattr(module, n) for n in module.__all__ if n.endswith("Output"))
    signed = "https://CDN.Example.com/a b/ü.png?X-Amz-Signature=AbC%2F&x=1"
    answer = {
        "image": signed,
        "images": ["https://x/1.png", None, "/relative/2.png", 3],
        "video": 42,
        "extra_key": {"kept": True},
    }
    output = output_class.model_validate(answer)
    assert output.image == signed and type(output.image) is str
    assert output.images == ["https://x/1.png", "/relative/2.png"]
    assert output.video is None
    assert output.model_extra == {"extra_key": {"kept": True}}
    assert sorted(w.split(":")[0] for w in output.output_warnings) == [
        "/images/1", "/images/3", "/video",
    ]  # fmt: skip
    json.dumps(output.model_dump(mode="json"))  # plain JSON, no URL objects
    clean = output_class.model_validate({"video": "https://x/v.mp4"})
    assert clean.output_warnings == ()
    odd = output_class.model_validate(["not", "an", "object"])
    assert odd.output_warnings and odd.video is None


def test_typed_call_errors_name_python_names_and_wire_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from runcomfy_models import InputValidationError, RunComfy

    with RunComfy("t", base_url="http://127.0.0.1:9") as client:
        with pytest.raises(InputValidationError) as caught:
            client.community_fantasy_portrait_image_to_video.submit(
                prompt="p", video="not a url", image="https://x/i.png", shift=20, steps=True
            )
    message = str(caught.value)
    for part in (
        "video (160_video): must be an absolute URL, not 'not a url'",
        "shift (149_shift): must be <= 15, not 20",
        "steps (149_steps): must be an integer, not a boolean",
    ):
        assert part in message, message


def test_unvalidated_values_are_sent_as_given_never_as_null() -> None:
    """validate_input=False: the server judges the values exactly as the caller wrote them."""
    model = _input_class(_module(FANTASY))
    data = model.model_construct(prompt="p", steps=True, strength="1.5", shift=[1])
    assert data.to_wire() == {
        "155_positive_prompt": "p", "149_steps": True, "150_strength": "1.5", "149_shift": [1],
    }  # fmt: skip
