"""Every bundled model, end to end: typed run, status updates, result, saved files."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.render.naming import module_name
from generator.serve import RunningServer, Schedule

from .conftest import TOKEN, fast_options
from .payloads import bundled_specs, valid_kwargs, valid_wire_payload

SPECS = bundled_specs()
IDS = [spec.model_id for spec in SPECS]


def _server_file(server: RunningServer, url: str) -> bytes:
    path = url.removeprefix(server.base_url)
    media = server.state.files.get(path)
    assert media is not None, f"the server has no file behind {url}"
    return media.data


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_run_each_model_and_save_its_output(
    spec: Any, sdk: ModuleType, client: Any, server: RunningServer, tmp_path: Path
) -> None:
    endpoint = getattr(client, module_name(spec.model_id))
    updates: list[Any] = []

    result = endpoint.run(**valid_kwargs(spec, server), on_update=updates.append)

    assert [u.status for u in updates] == ["in_queue", "in_progress", "completed"]
    assert {u.request_id for u in updates} == {result.request_id}
    jobs = server.jobs()
    assert [job["request_id"] for job in jobs] == [result.request_id]
    assert jobs[0]["model_id"] == spec.model_id
    # Exactly what the caller gave: documented defaults left out are the server's to apply.
    assert jobs[0]["payload"] == valid_wire_payload(spec, server)
    assert isinstance(result.output, endpoint.output_type)
    urls = result.urls()
    assert urls and all(url.startswith(server.base_url + "/files/") for url in urls)

    saved = result.save(tmp_path / "out")

    assert [path.parent for path in saved] == [tmp_path / "out"] * len(urls)
    for url, path in zip(urls, saved, strict=True):
        assert path.name == f"{result.request_id}-{urls.index(url)}-{url.rsplit('/', 1)[-1]}"
        assert path.read_bytes() == _server_file(server, url)
    assert not list((tmp_path / "out").glob("*.part"))


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_async_run_each_model(
    spec: Any, sdk: ModuleType, server: RunningServer, tmp_path: Path
) -> None:
    async def scenario() -> tuple[Any, list[Path]]:
        async with sdk.AsyncRunComfy(
            TOKEN, base_url=server.base_url, **fast_options(sdk)
        ) as client:
            endpoint = getattr(client, module_name(spec.model_id))
            handle = await endpoint.submit(**valid_kwargs(spec, server))
            result = await handle.wait()
            return result, await result.asave(tmp_path)

    result, saved = asyncio.run(scenario())
    assert server.jobs_created(spec.model_id) == 1
    assert [p.read_bytes() for p in saved] == [_server_file(server, u) for u in result.urls()]


def test_submit_then_poll_by_hand(sdk: ModuleType, client: Any, server: RunningServer) -> None:
    spec = SPECS[0]
    endpoint = getattr(client, module_name(spec.model_id))
    handle = endpoint.submit(**valid_kwargs(spec, server))

    seen = [handle.status().status]
    with pytest.raises(sdk._runtime.JobNotFinishedError) as early:
        handle.result()  # the second look: the job is running, there is no result yet
    seen.append(early.value.status)
    result = handle.result()  # the third look finds it completed

    assert seen == ["in_queue", "in_progress"]
    assert result.request_id == handle.request_id
    again = endpoint.handle(handle.request_id).result()
    assert again.output == result.output


def test_queue_position_reaches_on_update(sdk: ModuleType, make_server: Any) -> None:
    server = make_server(Schedule(queue_polls=3, progress_polls=1, queue_start_position=3))
    spec = SPECS[0]
    with sdk.RunComfy(TOKEN, base_url=server.base_url, **fast_options(sdk)) as client:
        updates: list[Any] = []
        getattr(client, module_name(spec.model_id)).run(
            **valid_kwargs(spec, server), on_update=updates.append
        )
    queued = [u.queue_position for u in updates if u.status == "in_queue"]
    assert queued == [3, 2, 1]
    assert updates[-1].status == "completed"
    assert all(u.queue_position is None for u in updates if u.status != "in_queue")


def test_token_and_base_url_come_from_the_environment(
    sdk: ModuleType, server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", TOKEN)
    monkeypatch.setenv("RUNCOMFY_BASE_URL", server.base_url)
    spec = SPECS[0]
    with sdk.RunComfy(**fast_options(sdk)) as client:
        assert client.base_url == server.base_url
        result = getattr(client, module_name(spec.model_id)).run(**valid_kwargs(spec, server))
    assert server.jobs()[0]["request_id"] == result.request_id


def test_missing_token_is_refused_before_any_request(
    sdk: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    with pytest.raises(sdk._runtime.ConfigurationError, match="RUNCOMFY_API_TOKEN"):
        sdk.RunComfy()
