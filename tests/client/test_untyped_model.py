"""``client.model(id)``: any model by id, untyped, sync and async, against the local server."""

from __future__ import annotations

import asyncio
from types import ModuleType
from typing import Any

import pytest

from generator.serve import RunningServer

from .conftest import TOKEN, fast_options
from .payloads import bundled_specs, valid_wire_payload

SPEC = next(s for s in bundled_specs() if s.model_id == "runwayml/runway-aleph/video-to-video")


def test_known_model_by_id_is_validated_and_typed(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    endpoint = client.model(SPEC.model_id)
    payload = valid_wire_payload(SPEC, server)
    result = endpoint.run(payload)
    assert server.jobs()[0]["payload"] == payload
    typed = getattr(client, sdk.MODELS[SPEC.model_id]).output_type
    assert isinstance(result.output, typed)
    assert result.urls()
    with pytest.raises(sdk.InputValidationError) as caught:
        endpoint.submit({**payload, "ratio": "1:1", "promt": "typo"})
    assert {str(i) for i in caught.value.issues if i.is_error} >= {
        "ratio: must be one of '1584:672', '1280:720', '848:480', '1104:832', '640:480', "
        "'960:960', '832:1104', '720:1280', not '1:1'",
        "promt: is not an input of this model",
    }
    assert len(server.jobs()) == 1  # the invalid payload never left the client


def test_unknown_model_is_sent_as_given(
    sdk: ModuleType, client: Any, server: RunningServer
) -> None:
    endpoint = client.model("someone/new-model/text-to-image")
    assert endpoint.model_id == "someone/new-model/text-to-image"
    with pytest.raises(sdk.NotFoundError):
        endpoint.submit({"anything": [1, 2.5, None]})
    [request] = server.requests("POST")
    assert request["path"] == "/v1/models/someone/new-model/text-to-image"


def test_async_model_by_id(sdk: ModuleType, server: RunningServer) -> None:
    payload = valid_wire_payload(SPEC, server)

    async def go() -> Any:
        async with sdk.AsyncRunComfy(TOKEN, base_url=server.base_url, **fast_options(sdk)) as c:
            handle = await c.model(SPEC.model_id).submit(payload)
            return await handle.wait()

    result = asyncio.run(go())
    assert result.output.output_warnings == ()
    assert server.jobs()[0]["payload"] == payload
