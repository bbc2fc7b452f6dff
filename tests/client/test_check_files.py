"""``check_files=True`` against ``serve``: the server's own files are probed (HEAD + a ranged
GET) and the documented pixel rules refuse a small image before any job is submitted."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from generator.render.naming import module_name
from generator.serve import RunningServer

from .payloads import bundled_specs, valid_kwargs

SPEC = bundled_specs()[0]


def test_a_small_image_is_refused_locally(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    kwargs = valid_kwargs(SPEC, server)
    kwargs["image_urls"] = [server.sample_url("image-small.png")]  # 64 px, rules want >= 320
    endpoint = getattr(client, module_name(SPEC.model_id))
    with pytest.raises(sdk.InputValidationError) as caught:
        endpoint.submit(**kwargs, check_files=True)
    assert caught.value.status_code is None  # ours, not the server's refusal
    assert {issue.pointer for issue in caught.value.issues} == {"/image_urls/0"}
    assert server.requests("POST") == [] and server.jobs_created() == 0
    probes = [entry["method"] for entry in server.requests() if "/samples/" in entry["path"]]
    assert probes == ["HEAD", "GET"]


def test_a_large_enough_image_passes_and_runs(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    endpoint = getattr(client, module_name(SPEC.model_id))
    result = endpoint.run(**valid_kwargs(SPEC, server), check_files=True)
    assert server.jobs_created() == 1 and result.urls()
