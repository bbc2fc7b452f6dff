"""RunComfy's own clients' flows against ``serve``, and ours reading the same answers.

Each flow repeats, with httpx, the requests one of RunComfy's open-source clients sends and
the way it reads the answers (from their code, not copied):

* runcomfy-cli (``src/cmd/run.rs``, ``src/poll.rs``, ``src/cmd/models.rs``, ``src/api.rs``):
  its base ends in ``/v1``; POST the input JSON to ``models/{id}``; GET ``status`` until it is
  one of completed/succeeded/failed/cancelled/canceled (printing ``queue_position`` or
  ``instance_id``); GET ``result_url`` from the submit answer; read ``status``, ``output``,
  ``created_at``, ``finished_at``, ``error``; collect every http(s) string in ``output``;
  Ctrl-C POSTs the cancel URL and reads ``outcome``/``status``; ``models list`` pages with
  ``limit`` (1 to 500) and ``offset`` and reads the table cells, ``categories``, ``get``.
* runcomfy-mcp (``runcomfy_client.py``): its headers; the same submit/status/result calls
  (status lower-cased, done on completed/cancelled/failed, the result without
  ``include_cost``); URLs under the keys ``collect_model_output_urls`` knows; cancel without
  a body; an HTTP error's text is ``error_message``, else ``message``, ``error`` or a string
  ``detail``; an HTTP 200 body with ``error_code`` is an error too (``error_message``).
* ComfyUI partner nodes (``runcomfy/client.py``, ``runcomfy/execution.py``,
  ``runcomfy/pricing.py``, ``runcomfy/inputs.py``): read the price first and quote
  ``base_price_usd * duration``; send references inline as base64 ``data:`` URIs (a body of
  up to 64 MiB), checking ``file_size_mb`` (decimal MB) on them; poll only
  ``GET /v1/requests/{id}/result?include_cost=true``; done on completed/succeeded, over on
  failed/cancelled, waiting on in_queue/in_progress; ``cost`` a finite number >= 0 (the
  quoted price); the video at ``output.video`` (or the one ``output.videos``); a request id
  of ``[a-zA-Z0-9_-]{1,128}``; a cancel succeeded when the answer's ``status`` or
  ``outcome`` is "cancelled".
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from generator.schema.documented import CatalogInfo
from generator.serve import RunningServer, Schedule, parse_fault, serve_in_thread
from tests.support.catalog import schemas_with_catalog_info

from .conftest import SCHEMAS, TOKEN, fast_options

ALEPH = "runwayml/runway-aleph/video-to-video"
DREAMINA = "bytedance/dreamina-3-0/pro/image-to-video"
CLI_TERMINAL = {"completed", "succeeded", "failed", "cancelled", "canceled"}
NODES_WAITING = {"in_queue", "in_progress", "pending", "waiting", "starting", "processing"}
#: The partner nodes' ``validate_request_id`` (runcomfy/client.py).
NODES_REQUEST_ID = re.compile(r"[a-zA-Z0-9_-]{1,128}")
#: The partner nodes' cap on one submit body (runcomfy/client.py ``MAX_REQUEST_BYTES``): their
#: references travel inline, so a body this large is one the API takes.
NODES_MAX_REQUEST_BYTES = 64 * 1024 * 1024
#: runcomfy-cli ``models list --limit`` accepts 1 to 500 (src/cli.rs).
CLI_MAX_LIMIT = 500


def _body(server: RunningServer) -> dict[str, str]:
    return {"video_url": server.sample_url("video.mp4"), "prompt": "a cat", "ratio": "1280:720"}


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        yield client


def _collect_urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(("http://", "https://")) else []
    if isinstance(value, list):
        return [url for item in value for url in _collect_urls(item)]
    if isinstance(value, dict):
        return [url for item in value.values() for url in _collect_urls(item)]
    return []


def _mcp_error_text(answer: httpx.Response) -> str | None:
    payload = answer.json()
    if answer.is_error:
        detail = payload.get("detail")
        return (
            payload.get("error_message")
            or payload.get("message")
            or payload.get("error")
            or (detail if isinstance(detail, str) else None)
            or answer.reason_phrase
        )
    if payload.get("error_code") is not None:
        return payload.get("error_message") or "RunComfy API error"
    return None


def test_cli_flow(server: RunningServer, http: httpx.Client) -> None:
    submitted = http.post(f"/v1/models/{ALEPH}", json=_body(server)).json()
    request_id = submitted["request_id"]
    lines: list[str] = []
    for _ in range(20):
        status = http.get(f"/v1/requests/{request_id}/status").json()
        described = status["status"]
        if isinstance(status.get("queue_position"), int):
            described += f" (position {status['queue_position']})"
        elif isinstance(status.get("instance_id"), str):
            described += f" (instance {status['instance_id']})"
        lines.append(described)
        if status["status"] in CLI_TERMINAL:
            break
    result = http.get(submitted["result_url"]).json()
    assert lines[0] == "in_queue (position 0)"
    assert lines[1].startswith("in_progress (instance serve-")
    assert result["status"] in ("succeeded", "completed")
    assert isinstance(result["request_id"], str) and isinstance(result["created_at"], str)
    assert isinstance(result["finished_at"], str) and result.get("error") is None
    [url] = _collect_urls(result["output"])
    assert httpx.get(url).content[4:8] == b"ftyp"


def test_cli_reads_a_failed_jobs_error(server: RunningServer, http: httpx.Client) -> None:
    server.set_faults([parse_fault("POST /v1/models/*:fail:message=no GPU left")])
    request_id = http.post(f"/v1/models/{ALEPH}", json=_body(server)).json()["request_id"]
    for _ in range(20):
        if http.get(f"/v1/requests/{request_id}/status").json()["status"] in CLI_TERMINAL:
            break
    result = http.get(f"/v1/requests/{request_id}/result").json()
    assert result["status"] == "failed" and "no GPU left" in str(result["error"])


def test_mcp_reads_errors_of_both_kinds(server: RunningServer, http: httpx.Client) -> None:
    refused = http.post(f"/v1/models/{ALEPH}", json={"prompt": "no video"})
    assert refused.status_code == 422
    assert "does not match" in (_mcp_error_text(refused) or "")
    server.set_faults([parse_fault("POST /v1/models/*:error-200=400002:message=top up")])
    in_200 = http.post(f"/v1/models/{ALEPH}", json=_body(server))
    assert in_200.status_code == 200 and _mcp_error_text(in_200) == "top up"


def test_partner_nodes_flow(server: RunningServer, http: httpx.Client) -> None:
    request_id = http.post(f"/v1/models/{ALEPH}", json=_body(server)).json()["request_id"]
    states = []
    for _ in range(20):
        result = http.get(f"/v1/requests/{request_id}/result", params={"include_cost": "true"})
        view = result.json()
        states.append(view["status"])
        if view["status"] in ("completed", "succeeded"):
            break
        assert view["status"] in NODES_WAITING
    cost = view["cost"]
    assert isinstance(cost, float) and math.isfinite(cost) and cost >= 0
    assert isinstance(view["output"]["video"], str)
    assert states == ["in_queue", "in_progress", "completed"]


def test_partner_nodes_cancel(make_server: Callable[..., RunningServer]) -> None:
    server = make_server(Schedule(queue_polls=10**9))
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        created = http.post(f"{server.base_url}/v1/models/{ALEPH}", json=_body(server))
        request_id = created.json()["request_id"]
        answer = http.post(f"{server.base_url}/v1/requests/{request_id}/cancel").json()
    assert answer.get("status") == "cancelled" or answer.get("outcome") == "cancelled"


def test_our_client_reads_what_theirs_read(
    sdk: ModuleType, server: RunningServer, http: httpx.Client
) -> None:
    """The same job through our client: the facts RunComfy's clients read, typed."""
    options = fast_options(sdk, include_cost=True)
    with sdk.RunComfy(TOKEN, base_url=server.base_url, **options) as client:
        result = client.runwayml_runway_aleph_video_to_video.run(**_body(server))
    theirs = http.get(f"/v1/requests/{result.request_id}/result?include_cost=true").json()
    assert result.cost == theirs["cost"]
    assert (result.created_at, result.finished_at) == (theirs["created_at"], theirs["finished_at"])
    assert result.instance_id == theirs["instance_id"]
    assert result.urls() == _collect_urls(theirs["output"])
    [submit] = server.requests("POST")
    assert submit["path"] == f"/v1/models/{ALEPH}"
    # Ours polls what the partner nodes poll: the result, never the status.
    assert server.requests("GET", f"/v1/requests/{result.request_id}/status") == []


def test_partner_nodes_send_references_inline_as_data_uris(
    server: RunningServer, http: httpx.Client
) -> None:
    """runcomfy/native_media.py ``video_data_uri``: a reference video of up to 32 MiB goes in
    the body as a base64 ``data:`` URI (the body's cap is 64 MiB), so a body over 16 MiB is an
    ordinary submit of theirs. The clip keeps to Aleph's documented ``file_size_mb<16``."""
    video = httpx.get(server.sample_url("video.mp4")).content
    clip = video + bytes(15_000_000 - len(video))  # 15 MB: 20 MB as base64
    inline = "data:video/mp4;base64," + base64.b64encode(clip).decode()
    body = {**_body(server), "video_url": inline}
    assert len(json.dumps(body)) > 16 * 1024 * 1024
    answer = http.post(f"/v1/models/{ALEPH}", json=body, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    assert NODES_REQUEST_ID.fullmatch(answer.json()["request_id"])
    [job] = server.jobs()
    assert job["payload"]["video_url"].startswith("data:video/mp4;base64,AAAA")


def test_cli_lists_the_catalog_in_pages_of_up_to_500(corpus_schemas: Path) -> None:
    """runcomfy-cli ``models list`` (src/cmd/models.rs): ``GET /v1/models?limit=&offset=``, a
    table of model_id, display_name, categories and ``$price/unit``, then "Showing a-b of
    total"; ``--limit`` may be anything from 1 to 500."""
    with (
        serve_in_thread(corpus_schemas, token=TOKEN) as server,
        httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
    ):
        page = http.get(
            f"{server.base_url}/v1/models",
            params=[("limit", str(CLI_MAX_LIMIT)), ("offset", "0")],
        ).json()
    assert page["total"] == 120 and len(page["models"]) == 120


def test_documented_file_rules_hold_for_inline_references(
    server: RunningServer, http: httpx.Client
) -> None:
    """The partner nodes check a model's ``file_size_mb`` rules on the ``data:`` URIs they send
    (runcomfy/inputs.py ``_validate_encoded_reference``): an inline file is the file the rules
    speak of, so the server judges it as it judges a URL of its own (pixels and size)."""
    small, large = (
        httpx.get(server.sample_url(name)).content for name in ("image-small.png", "image.png")
    )
    inline = "data:image/png;base64,{}".format

    def submit(image: bytes) -> httpx.Response:
        body = {"prompt": "a cat", "image_urls": [inline(base64.b64encode(image).decode())]}
        return http.post(f"/v1/models/{DREAMINA}", json=body)

    refused = submit(small)
    assert refused.status_code == 422
    rules = {(p["pointer"], p.get("rule")) for p in refused.json()["detail"]}
    assert ("/image_urls/0", "width_pixels>") in rules and (
        "/image_urls/0",
        "height_pixels>",
    ) in rules
    assert submit(large).status_code == 200


def test_our_client_judges_inline_references_before_paying(
    sdk: ModuleType, server: RunningServer, client: Any
) -> None:
    """Like the partner nodes (runcomfy/inputs.py ``_validate_encoded_reference``), ours checks
    a ``data:`` reference against the documented file rules before it submits: the file is in
    hand, so no check_files is needed and nothing is fetched."""
    small, large = (
        httpx.get(server.sample_url(name)).content for name in ("image-small.png", "image.png")
    )
    endpoint = client.bytedance_dreamina_3_0_pro_image_to_video
    inline = "data:image/png;base64," + base64.b64encode(small).decode()
    with pytest.raises(sdk.InputValidationError) as caught:
        endpoint.submit(prompt="a cat", image_urls=[inline])
    assert caught.value.status_code is None  # ours, not the server's refusal
    rules = {(issue.pointer, issue.rule) for issue in caught.value.issues}
    assert rules == {("/image_urls/0", "width_pixels>"), ("/image_urls/0", "height_pixels>")}
    assert server.requests("POST") == []
    inline = "data:image/png;base64," + base64.b64encode(large).decode()
    result = endpoint.run(prompt="a cat", image_urls=[inline])
    assert result.urls() and server.jobs_created() == 1


def test_file_size_mb_is_counted_in_millions_of_bytes(
    server: RunningServer, http: httpx.Client
) -> None:
    """runcomfy/inputs.py ``_validate_encoded_reference``: ``file_size_mb<16`` refuses a file of
    ``16 * 1_000_000`` bytes or more (decimal MB, as the documented "less than 16 MB" says), so
    a 16,000,000-byte clip is too large for Aleph though it is under 16 MiB."""
    video = httpx.get(server.sample_url("video.mp4")).content

    def submit(size: int) -> httpx.Response:
        clip = video + bytes(size - len(video))
        inline = "data:video/mp4;base64," + base64.b64encode(clip).decode()
        return http.post(f"/v1/models/{ALEPH}", json={**_body(server), "video_url": inline})

    refused = submit(16_000_000)
    assert refused.status_code == 422
    assert [(p["pointer"], p["rule"]) for p in refused.json()["detail"]] == [
        ("/video_url", "file_size_mb<")
    ]
    assert submit(15_999_999).status_code == 200


HAPPYHORSE = "happyhorse/happyhorse-1.0/image-to-video"


def _partner_nodes_run(
    server: RunningServer, model_id: str, inputs: dict[str, Any]
) -> tuple[Decimal, float]:
    """The partner nodes' paid run: the price read first (runcomfy/pricing.py ``parse_price``,
    ``Price.estimate``: the price per second times ``duration``, or the price per output),
    then the submit and the result polled with ``include_cost=true``; (quote, cost)."""
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}
    ) as http:
        entry = http.get(f"/v1/models/{model_id}").json()
        assert entry["model_id"] == model_id and entry["price_unit"] in ("second", "output")
        rate = Decimal(str(entry["base_price_usd"]))
        quote = rate if entry["price_unit"] == "output" else rate * Decimal(str(inputs["duration"]))
        request_id = http.post(f"/v1/models/{model_id}", json=inputs).json()["request_id"]
        for _ in range(20):
            view = http.get(
                f"/v1/requests/{request_id}/result", params={"include_cost": "true"}
            ).json()
            if view["status"] in ("completed", "succeeded"):
                return quote, view["cost"]
    raise AssertionError("the job did not complete")


def test_the_cost_is_what_the_catalog_price_quoted(tmp_path: Path) -> None:
    """runcomfy-com's partner nodes quote ``base_price_usd * duration`` before they submit and
    report the result's ``cost`` after (tests/test_client.py: 0.57 per second, 5 s, cost 2.85):
    the cost is the price of what was made, not a number of its own."""
    info = CatalogInfo("HappyHorse 1.0", ("image-to-video",), "model", 0.57, "second", "per s")
    folder = schemas_with_catalog_info(SCHEMAS, tmp_path / "schemas", HAPPYHORSE, info)
    with serve_in_thread(folder, token=TOKEN) as server:
        inputs = {"prompt": "a horse", "image_url": server.sample_url("image.png"), "duration": 5}
        quote, cost = _partner_nodes_run(server, HAPPYHORSE, inputs)
        assert (quote, cost) == (Decimal("2.85"), 2.85)
        # Without a catalog price (a page-imported file) the local stand-in price still quotes
        # what the job costs.
    with serve_in_thread(SCHEMAS, token=TOKEN) as server:
        inputs = {"prompt": "a horse", "image_url": server.sample_url("image.png"), "duration": 7}
        quote, cost = _partner_nodes_run(server, HAPPYHORSE, inputs)
        assert cost > 0 and Decimal(str(cost)) == quote


def test_a_base_url_spelled_as_the_cli_spells_it_works(
    sdk: ModuleType, server: RunningServer
) -> None:
    """runcomfy-cli's Model API base is ``https://model-api.runcomfy.net/v1`` (src/api.rs,
    ``RUNCOMFY_MODEL_API_BASE``), the MCP server's and the partner nodes' the host alone: ours
    takes both, so a base copied from the CLI's environment does not become ``/v1/v1/``."""
    for base in (server.base_url + "/v1", server.base_url + "/v1/"):
        with sdk.RunComfy(TOKEN, base_url=base, **fast_options(sdk)) as client:
            assert client.base_url == server.base_url
            client.runwayml_runway_aleph_video_to_video.run(**_body(server))
    assert {entry["path"] for entry in server.requests("POST")} == {f"/v1/models/{ALEPH}"}


#: runcomfy-mcp ``collect_model_output_urls``: the keys under ``output`` it takes URLs from.
MCP_URL_KEYS = ("url", "path", "image", "images", "video", "videos", "audio")
MCP_HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "Accept": "application/json",
    "User-Agent": "runcomfy-mcp/1.0",
    "X-RunComfy-Client": "mcp",
}


def _mcp_urls(value: Any) -> list[str]:
    if isinstance(value, dict):
        found: list[str] = []
        for key, item in value.items():
            if key in MCP_URL_KEYS and isinstance(item, str) and item.startswith("http"):
                found.append(item)
            elif key in MCP_URL_KEYS and isinstance(item, list):
                found += [i for i in item if isinstance(i, str) and i.startswith("http")]
            else:
                found += _mcp_urls(item)
        return found
    if isinstance(value, list):
        return [url for item in value for url in _mcp_urls(item)]
    return []


def test_mcp_wait_for_completion_flow(server: RunningServer) -> None:
    """runcomfy-mcp ``RunComfyModelAPIClient`` (runcomfy_client.py): its own headers, the body
    (``request_body or {}``) with ``Content-Type: application/json``; ``wait_for_completion``
    polls ``status`` (lower-cased) until completed/cancelled/failed, then GETs the result
    without ``include_cost``; ``collect_model_output_urls`` reads URLs under known keys."""
    with httpx.Client(base_url=server.base_url, headers=MCP_HEADERS, follow_redirects=True) as mcp:
        submitted = mcp.post(f"/v1/models/{ALEPH}", json=_body(server)).json()
        seen = []
        for _ in range(20):
            status = mcp.get(f"/v1/requests/{submitted['request_id']}/status").json()
            seen.append(str(status.get("status", "")).lower())
            if seen[-1] in {"completed", "cancelled", "failed"}:
                break
        result = mcp.get(f"/v1/requests/{submitted['request_id']}/result").json()
    assert seen == ["in_queue", "in_progress", "completed"]
    assert result.get("error_code") is None and "cost" not in result
    [url] = _mcp_urls(result.get("output"))
    assert url == result["output"]["video"]


def test_mcp_cancel_sends_no_body(make_server: Callable[..., RunningServer]) -> None:
    """runcomfy-mcp ``cancel_request``: ``POST /v1/requests/{id}/cancel`` without a body."""
    server = make_server(Schedule(queue_polls=10**9))
    with httpx.Client(base_url=server.base_url, headers=MCP_HEADERS) as mcp:
        request_id = mcp.post(f"/v1/models/{ALEPH}", json=_body(server)).json()["request_id"]
        answer = mcp.post(f"/v1/requests/{request_id}/cancel")
    assert answer.status_code == 200 and answer.json().get("error_code") is None
    assert answer.json()["outcome"] == "cancelled"


def test_cli_ctrl_c_on_a_running_job_says_it_runs_on(
    make_server: Callable[..., RunningServer],
) -> None:
    """runcomfy-cli ``poll.rs`` ``handle_interrupt``: POST the cancel URL built from the base,
    then read ``outcome`` and ``status``: ``not_cancellable`` means the job runs to completion
    (and is billed); ``cancel.rs`` needs ``request_id`` in the answer."""
    server = make_server(Schedule(queue_polls=1, progress_polls=10**9))
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as cli:
        base = server.base_url + "/v1"  # RUNCOMFY_MODEL_API_BASE
        request_id = cli.post(f"{base}/models/{ALEPH}", json=_body(server)).json()["request_id"]
        states = [cli.get(f"{base}/requests/{request_id}/status").json()["status"] for _ in "ab"]
        answer = cli.post(f"{base}/requests/{request_id}/cancel").json()
    assert states == ["in_queue", "in_progress"]
    assert (answer["request_id"], answer["outcome"], answer["status"]) == (
        request_id,
        "not_cancellable",
        "in_progress",
    )


def test_cli_reads_the_catalog(server: RunningServer) -> None:
    """runcomfy-cli ``models list`` / ``categories`` / ``get`` (src/cmd/models.rs): the table
    cells ``model_id``, ``display_name``, ``categories`` joined with ``,`` and the price as
    ``$<base_price_usd>/<price_unit>``; ``total`` for "Showing a-b of N"; ``get`` trims slashes
    from the id."""
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as cli:
        base = server.base_url + "/v1"
        page = cli.get(f"{base}/models", params=[("limit", "100"), ("offset", "0")]).json()
        categories = cli.get(f"{base}/models/categories").json()["categories"]
        entry = cli.get(f"{base}/models/{ALEPH.strip('/')}").json()
    rows = {
        m["model_id"]: (
            m["display_name"],
            ",".join(m["categories"]),
            f"${m['base_price_usd']}/{m['price_unit']}",
        )
        for m in page["models"]
    }
    assert page["total"] == len(rows) == 4
    assert rows[ALEPH] == ("Runway Aleph Video to Video", "video-to-video", "$0.05/second")
    assert all(isinstance(c, str) for c in categories) and "video-to-video" in categories
    assert entry["model_id"] == ALEPH and "properties" in entry["input_schema"]


def test_partner_nodes_failed_job_and_resume(server: RunningServer) -> None:
    """runcomfy/execution.py: a ``failed`` result ends the run (``generation_failed``); a run
    resumed with ``resume_request_id`` only GETs the result of that id again, never submits."""
    server.set_faults([parse_fault("POST /v1/models/*:fail")])
    headers = {"Authorization": f"Bearer {TOKEN}", "User-Agent": "RunComfy-ComfyUI/0.2.0"}
    with httpx.Client(base_url=server.base_url, headers=headers) as nodes:
        request_id = nodes.post(f"/v1/models/{ALEPH}", json=_body(server)).json()["request_id"]
        states = []
        for _ in range(20):
            view = nodes.get(f"/v1/requests/{request_id}/result", params={"include_cost": "true"})
            states.append(view.json()["status"])
            if states[-1] in ("failed", "cancelled"):
                break
        again = nodes.get(f"/v1/requests/{request_id}/result", params={"include_cost": "true"})
    assert states == ["in_queue", "in_progress", "failed"]
    assert again.json()["status"] == "failed" and again.json()["cost"] == 0
    assert server.jobs_created() == 1
