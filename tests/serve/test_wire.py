"""What the server says besides the basics (RunComfy's answer shapes), and how it treats
malformed or oversized requests: a one-line JSON error and a closed connection, never a
traceback or a thread held for ever."""

from __future__ import annotations

import json
import re
import socket

import httpx
import pytest

from generator.serve import RunningServer, Schedule, parse_fault, serve_in_thread
from generator.serve.app import MAX_BODY_BYTES
from tests.serve.conftest import ALEPH, SCHEMAS, TOKEN, aleph_body

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _raw(server: RunningServer, request: bytes) -> bytes:
    """Send ``request`` as is on a new connection; everything the server answers."""
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def _head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: x", f"Authorization: Bearer {TOKEN}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("Content-Length: abc", 400),
        ("Content-Length: -5", 400),
        (f"Content-Length: {MAX_BODY_BYTES + 1}", 413),
        ("Transfer-Encoding: chunked", 411),
    ],
)
def test_malformed_or_oversized_bodies_get_one_json_error(
    server: RunningServer, header: str, status: int
) -> None:
    answer = _raw(server, _head(f"/v1/models/{ALEPH}", header))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200]
    error = json.loads(body)
    assert set(error) == {"error_code", "message", "detail"} and "Traceback" not in error["message"]
    assert server.jobs_created() == 0


def test_a_body_shorter_than_declared_is_refused(server: RunningServer) -> None:
    request = _head(f"/v1/models/{ALEPH}", "Content-Length: 100") + b'{"prompt": "a'
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)  # the client stops sending: the body ends early
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400 ") and server.jobs_created() == 0


def test_result_carries_timestamps_instance_and_cost_on_request(
    server: RunningServer, client: httpx.Client
) -> None:
    request_id = client.post(f"/v1/models/{ALEPH}", json=aleph_body(server)).json()["request_id"]
    queued = client.get(f"/v1/requests/{request_id}/result").json()
    assert ISO.fullmatch(queued["created_at"]) and "instance_id" not in queued
    running = client.get(f"/v1/requests/{request_id}/status").json()
    assert running["status"] == "in_progress" and running["instance_id"].startswith("serve-")
    done = client.get(f"/v1/requests/{request_id}/result").json()
    assert done["status"] == "completed" and "cost" not in done
    priced = client.get(f"/v1/requests/{request_id}/result", params={"include_cost": "true"})
    view = priced.json()
    assert view["cost"] > 0 and ISO.fullmatch(view["finished_at"])
    assert view["created_at"] <= view["finished_at"]
    assert view["instance_id"] == running["instance_id"]


def test_a_failed_job_says_why_in_error_message() -> None:
    faults = [parse_fault("POST /v1/models/*:fail:message=VRAM exhausted")]
    with (
        serve_in_thread(SCHEMAS, token=TOKEN, schedule=Schedule(0, 0, 0, 0), faults=faults) as s,
        httpx.Client(base_url=s.base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as c,
    ):
        request_id = c.post(f"/v1/models/{ALEPH}", json=aleph_body(s)).json()["request_id"]
        view = c.get(f"/v1/requests/{request_id}/result?include_cost=true").json()
    assert (view["status"], view["error_message"], view["cost"]) == ("failed", "VRAM exhausted", 0)
    assert view["error"] == {"error_code": 500001, "message": "VRAM exhausted"}


def test_an_error_inside_http_200_uses_error_message(server: RunningServer) -> None:
    server.set_faults([parse_fault("POST /v1/models/*:error-200=400002")])
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        answer = http.post(f"{server.base_url}/v1/models/{ALEPH}", json=aleph_body(server))
    assert answer.status_code == 200
    assert set(answer.json()) == {"error_code", "error_message"}


def test_files_answer_head_and_byte_ranges(server: RunningServer) -> None:
    url = server.sample_url("image.png")
    whole = httpx.get(url).content
    head = httpx.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(whole))
    part = httpx.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == whole[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(whole)}"
    tail = httpx.get(url, headers={"Range": "bytes=-10"})
    assert tail.content == whole[-10:]
    assert httpx.get(url, headers={"Range": "bytes=999999999-"}).status_code == 200


def test_the_request_log_never_sends_a_path_s_control_characters_to_the_terminal() -> None:
    """`serve` printed a request path's ESC and BEL as they came (a terminal escape), even
    from a client without the token."""
    lines: list[str] = []
    with serve_in_thread(SCHEMAS, token=TOKEN, log=lines.append) as server:
        path = "/v1/models/\x1b]0;title\x07\x1b[2J"
        request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        assert b" 401 " in _raw(server, request.encode("latin-1"))
    assert lines == [r"GET /v1/models/\x1b]0;title\x07\x1b[2J -> 401"], lines
