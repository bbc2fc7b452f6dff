"""The server over real HTTP on 127.0.0.1: protocol, validation, files and injected faults."""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import httpx
import pytest

from generator.schema.documented import discover_models, load_model_file
from generator.schema.normalize import normalize
from generator.serve import RunningServer, Schedule, parse_fault, serve_in_thread
from tests.serve.conftest import ALEPH, DREAMINA, SCHEMAS, TOKEN, aleph_body


def _submit(client: httpx.Client, model_id: str, body: object) -> httpx.Response:
    return client.post(f"/v1/models/{model_id}", json=body)


def _poll_until_done(client: httpx.Client, request_id: str) -> list[dict[str, object]]:
    views = []
    for _ in range(20):
        view = client.get(f"/v1/requests/{request_id}/result").json()
        views.append(view)
        if view["status"] in ("completed", "failed", "cancelled"):
            return views
    raise AssertionError(f"job never finished: {views}")


def test_submit_poll_result_and_download(server: RunningServer, client: httpx.Client) -> None:
    answer = _submit(client, ALEPH, aleph_body(server))
    assert answer.status_code == 200
    submitted = answer.json()
    request_id = submitted["request_id"]
    base = f"{server.base_url}/v1/requests/{request_id}"
    assert submitted == {
        "request_id": request_id,
        "status_url": f"{base}/status",
        "result_url": f"{base}/result",
        "cancel_url": f"{base}/cancel",
    }
    status = client.get(f"/v1/requests/{request_id}/status").json()
    assert (status["status"], status["queue_position"]) == ("in_queue", 0)
    views = _poll_until_done(client, request_id)
    assert [view["status"] for view in views] == ["in_progress", "completed"]
    assert "output" not in views[0]
    output = views[-1]["output"]
    assert isinstance(output, dict) and list(output) == ["video"]
    video = httpx.get(str(output["video"]))
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
    assert server.jobs_created(ALEPH) == 1 and server.jobs_created() == 1


def test_every_bundled_model_accepts_its_page_example_unless_normalize_flagged_it(
    server: RunningServer, client: httpx.Client
) -> None:
    for path in discover_models(SCHEMAS):
        spec = normalize(load_model_file(path))
        flagged = any(d.code == "example-invalid" for d in spec.diagnostics)
        answer = _submit(client, spec.model_id, spec.example)
        assert answer.status_code == (422 if flagged else 200), (spec.model_id, answer.text)


def test_output_key_follows_the_model_id(server: RunningServer, client: httpx.Client) -> None:
    body = {"prompt": "a dancer", "image_urls": [server.sample_url("image.png")]}
    request_id = _submit(client, DREAMINA, body).json()["request_id"]
    output = _poll_until_done(client, request_id)[-1]["output"]
    assert isinstance(output, dict) and list(output) == ["video"]


def test_missing_or_wrong_token_is_401(server: RunningServer) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        answer = httpx.post(f"{server.base_url}/v1/models/{ALEPH}", json={}, headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error_code"] == 400004
    assert server.jobs_created() == 0


def test_unknown_model_is_400001(client: httpx.Client) -> None:
    answer = _submit(client, "nobody/nothing", {"prompt": "x"})
    assert answer.status_code == 400
    assert answer.json() == {
        "error_code": 400001,
        "message": "unknown model 'nobody/nothing'",
        "detail": None,
    }


def test_invalid_body_lists_every_problem_with_pointers(
    server: RunningServer, client: httpx.Client
) -> None:
    body = {"video_url": "not a url", "prompt": 7, "ratoi": "16:9"}
    answer = _submit(client, ALEPH, body)
    assert answer.status_code == 422
    error = answer.json()
    assert error["error_code"] == 422001
    assert [(p["pointer"], p["keyword"]) for p in error["detail"]] == [
        ("/prompt", "type"),
        ("/ratio", "required"),
        ("/ratoi", "additionalProperties"),
        ("/video_url", "format"),
    ]
    assert server.jobs_created() == 0


def test_body_that_is_not_json_is_422(server: RunningServer) -> None:
    answer = httpx.post(
        f"{server.base_url}/v1/models/{ALEPH}",
        content=b"{nope",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["pointer"] == ""


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"prompt": ' + b"1" * 5000 + b"}", b'{"\\ud800": "x"}'],
    ids=["nested-100000", "5000-digits", "lone-surrogate"],
)
def test_json_python_cannot_hold_is_422_not_500(server: RunningServer, body: bytes) -> None:
    """Valid JSON all the same: each answered 500 "internal error" (RecursionError,
    ValueError, UnicodeEncodeError), a server bug to the client rather than a bad request."""
    answer = httpx.post(
        f"{server.base_url}/v1/models/{ALEPH}",
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["pointer"] == ""
    assert server.jobs_created() == 0


def test_file_rules_are_checked_on_files_the_server_knows(
    server: RunningServer, client: httpx.Client
) -> None:
    small = server.sample_url("image-small.png")  # 64 x 64: under the 320 px minimum
    wide = server.publish_file(
        "wide.png", b"\x89PNG fake", content_type="image/png", width=2000, height=400
    )
    body = {"prompt": "x", "image_urls": [small]}
    problems = _submit(client, DREAMINA, body).json()["detail"]
    assert {(p["pointer"], p["rule"]) for p in problems} == {
        ("/image_urls/0", "width_pixels>"),
        ("/image_urls/0", "height_pixels>"),
    }
    assert "at least 320 pixels" in problems[0]["message"]
    problems = _submit(client, DREAMINA, {"prompt": "x", "image_urls": [wide]}).json()["detail"]
    assert [p["rule"] for p in problems] == ["width/height<"]
    # A URL elsewhere cannot be measured, so its rules are not checked.
    elsewhere = {"prompt": "x", "image_urls": ["https://example.com/tiny.png"]}
    assert _submit(client, DREAMINA, elsewhere).status_code == 200


def test_unknown_request_is_404001(client: httpx.Client) -> None:
    for path in ("/v1/requests/nope/status", "/v1/requests/nope/result"):
        answer = client.get(path)
        assert (answer.status_code, answer.json()["error_code"]) == (404, 404001)
    answer = client.post("/v1/requests/nope/cancel")
    assert (answer.status_code, answer.json()["error_code"]) == (404, 404001)


def test_cancel_queued_job_then_running_job() -> None:
    with (
        serve_in_thread(
            SCHEMAS, token=TOKEN, schedule=Schedule(queue_polls=1, progress_polls=9)
        ) as server,
        httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as client,
    ):
        queued = _submit(client, ALEPH, aleph_body(server)).json()["request_id"]
        answer = client.post(f"/v1/requests/{queued}/cancel")
        assert answer.status_code == 200
        cancelled = answer.json()
        assert {key: cancelled[key] for key in ("request_id", "status", "outcome")} == {
            "request_id": queued,
            "status": "cancelled",
            "outcome": "cancelled",
        }
        assert set(cancelled) == {"request_id", "status", "outcome", "created_at", "finished_at"}
        assert client.get(f"/v1/requests/{queued}/result").json()["status"] == "cancelled"

        running = _submit(client, ALEPH, aleph_body(server)).json()["request_id"]
        client.get(f"/v1/requests/{running}/status")
        assert client.get(f"/v1/requests/{running}/status").json()["status"] == "in_progress"
        answer = client.post(f"/v1/requests/{running}/cancel")
        assert answer.status_code == 200
        assert answer.json()["outcome"] == "not_cancellable"
        assert answer.json()["status"] == "in_progress"


def test_injected_429_then_success() -> None:
    faults = [parse_fault("POST /v1/models/*:429:count=2:retry_after=7")]
    with (
        serve_in_thread(SCHEMAS, token=TOKEN, faults=faults) as server,
        httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as client,
    ):
        answers = [_submit(client, ALEPH, aleph_body(server)) for _ in range(3)]
        assert [a.status_code for a in answers] == [429, 429, 200]
        assert answers[0].headers["Retry-After"] == "7"
        assert answers[0].json()["error_code"] == 429001
        assert server.jobs_created() == 1
        assert [r["outcome"] for r in server.requests("POST")] == [429, 429, 200]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_injected_server_errors(server: RunningServer, client: httpx.Client, status: int) -> None:
    server.set_faults([parse_fault(f"GET /v1/requests/*/status:{status}:count=1")])
    request_id = _submit(client, ALEPH, aleph_body(server)).json()["request_id"]
    first = client.get(f"/v1/requests/{request_id}/status")
    assert first.status_code == status and "error_code" in first.json()
    assert client.get(f"/v1/requests/{request_id}/status").status_code == 200


def test_drop_before_the_job_creates_nothing(server: RunningServer, client: httpx.Client) -> None:
    server.set_faults([parse_fault("POST /v1/models/*:drop:count=1")])
    with pytest.raises(httpx.RemoteProtocolError):
        _submit(client, ALEPH, aleph_body(server))
    assert server.jobs_created() == 0
    assert _submit(client, ALEPH, aleph_body(server)).status_code == 200
    assert server.jobs_created() == 1


def test_drop_after_the_job_was_created(server: RunningServer, client: httpx.Client) -> None:
    server.set_faults([parse_fault("POST /v1/models/*:drop-after:count=1")])
    with pytest.raises(httpx.RemoteProtocolError):
        _submit(client, ALEPH, aleph_body(server))
    # The client got no answer, yet the server made the job: a retry would run it twice.
    assert server.jobs_created(ALEPH) == 1
    assert server.requests("POST")[-1]["outcome"] == "dropped"


def test_slow_answer_trips_a_short_read_timeout(server: RunningServer) -> None:
    server.set_faults([parse_fault("GET /v1/requests/*/status:slow=3000:count=1")])
    with httpx.Client(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=httpx.Timeout(10, read=0.2),
    ) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/v1/requests/anything/status")
        assert client.get("/v1/requests/anything/status").status_code == 404


def test_job_that_fails(server: RunningServer, client: httpx.Client) -> None:
    server.set_faults([parse_fault("POST /v1/models/*:fail:count=1:message=GPU fell over")])
    request_id = _submit(client, ALEPH, aleph_body(server)).json()["request_id"]
    final = _poll_until_done(client, request_id)[-1]
    assert final["status"] == "failed"
    assert final["error"] == {"error_code": 500001, "message": "GPU fell over"}
    assert "output" not in final


def test_http_200_carrying_an_error_code(server: RunningServer, client: httpx.Client) -> None:
    server.set_faults([parse_fault("POST /v1/models/*:error-200=400002:count=1")])
    answer = _submit(client, ALEPH, aleph_body(server))
    assert answer.status_code == 200
    assert answer.json()["error_code"] == 400002
    assert server.jobs_created() == 0


def test_admin_endpoints_need_the_token_and_report(
    server: RunningServer, client: httpx.Client
) -> None:
    server.set_faults([parse_fault("GET /v1/requests/*/result:503:count=1")])
    _submit(client, ALEPH, aleph_body(server))
    assert httpx.get(f"{server.base_url}/_admin/jobs").status_code == 401
    jobs = client.get("/_admin/jobs").json()
    assert jobs["created"] == {ALEPH: 1}
    assert jobs["jobs"][0]["payload"] == aleph_body(server)
    assert client.get("/_admin/faults").json() == {
        "faults": [{"fault": "GET /v1/requests/*/result:503", "seen": 0, "fired": 0}]
    }
    outcomes = [
        (r["method"], r["outcome"]) for r in client.get("/_admin/requests").json()["requests"]
    ]
    assert outcomes[:3] == [("POST", 200), ("GET", 401), ("GET", 200)]


def test_samples_are_served_with_their_types(server: RunningServer) -> None:
    image = httpx.get(server.sample_url("image.png"))
    assert image.headers["content-type"] == "image/png"
    assert struct.unpack(">II", image.content[16:24]) == (512, 512)
    audio = httpx.get(server.sample_url("audio.wav"))
    with wave.open(io.BytesIO(audio.content)) as reader:
        assert reader.getnframes() > 0
    assert httpx.get(f"{server.base_url}/samples/none.png").status_code == 404
    index = httpx.get(f"{server.base_url}/").json()
    assert ALEPH in index["models"] and server.sample_url("video.mp4") in index["samples"]


def test_a_folder_without_models_is_an_input_error(tmp_path: Path) -> None:
    from generator.errors import InputError

    with pytest.raises(InputError, match="holds no model files"), serve_in_thread(tmp_path):
        pass


def test_a_bug_in_a_route_answers_500_not_a_hang_up(
    server: RunningServer, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.serve.catalog import Catalog

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Catalog, "check", broken)
    answer = _submit(client, ALEPH, aleph_body(server))
    assert answer.status_code == 500
    assert answer.json()["error_code"] == 500001
    assert "RuntimeError: boom" in answer.json()["message"]
