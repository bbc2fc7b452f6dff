"""Every failure of a pull: one line naming the request or model, exit 2, nothing written."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from generator.serve import parse_fault, serve_in_thread
from tests.pull.helpers import TOKEN, pull, tree
from tests.pull.hostile import Scripted, hostile
from tests.support.catalog import catalog_model, write_model
from tests.support.paths import ROOT

SEEDANCE = "bytedance/seedance-2.5/image-to-video/1080p"


@pytest.fixture
def local(tmp_path: Path) -> Path:
    """A schemas folder that any successful pull would change (it holds only the seeds)."""
    folder = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", folder)
    return folder


def entry(model_id: Any = SEEDANCE, **fields: Any) -> dict[str, Any]:
    return {
        "model_id": model_id,
        "display_name": "A model",
        "categories": ["image-to-video"],
        "kind": "model",
        "base_price_usd": 0.1,
        "price_unit": "second",
        "input_schema": {"type": "object", "properties": {"prompt": {"type": "string"}}},
        **fields,
    }


def assert_refused(result: Any, local: Path, before: dict[str, bytes], expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr, result.stderr
    assert TOKEN not in result.stderr
    assert tree(local) == before


# -- against serve, with its fault injection -------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("GET /v1/models:drop:after=1", "offset=100: cannot read the catalog after 3 tries"),
        ("GET /v1/models:500:after=1:count=5", "offset=100: HTTP 500 after 3 tries"),
    ],
)
def test_faults_on_the_second_page(remote: Path, local: Path, fault: str, expected: str) -> None:
    before = tree(local)
    with serve_in_thread(remote, token=TOKEN, faults=[parse_fault(fault)]) as server:
        result = pull(server.base_url, local, "--all")
    assert_refused(result, local, before, expected)


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("GET /v1/models:503", "HTTP 503 after 3 tries: injected fault: HTTP 503"),
        ("GET /v1/models:429:retry_after=120", "the catalog asks to wait 120 s"),
        ("GET /v1/models:error-200", "the catalog answered an error: injected fault"),
        (f"GET /v1/models/{SEEDANCE}:drop", f"{SEEDANCE}: cannot read the catalog after 3 tries"),
        (f"GET /v1/models/{SEEDANCE}:401", f"{SEEDANCE}: HTTP 401: the catalog refused the token"),
    ],
)
def test_server_faults(small_remote: Path, local: Path, fault: str, expected: str) -> None:
    before = tree(local)
    selection = SEEDANCE if "/v1/models/" in fault else "--all"
    with serve_in_thread(small_remote, token=TOKEN, faults=[parse_fault(fault)]) as server:
        result = pull(server.base_url, local, selection)
    assert_refused(result, local, before, expected)


def test_transient_faults_are_retried(remote: Path, tmp_path: Path) -> None:
    faults = [
        parse_fault("GET /v1/models:503:count=1"),
        parse_fault("GET /v1/models:429:after=1:count=1:retry_after=0"),
        parse_fault("GET /v1/models:502:after=3:count=1"),
    ]
    with serve_in_thread(remote, token=TOKEN, faults=faults) as server:
        result = pull(server.base_url, tmp_path / "schemas", "--all")
        outcomes = [r["outcome"] for r in server.requests("GET", "/v1/models")]
    assert result.exit_code == 0, result.stderr
    assert outcomes == [503, 429, 200, 502, 200]  # three retries, two on one page


def test_wrong_token_is_refused_and_never_shown(small_server: Any, local: Path) -> None:
    before = tree(local)
    result = pull(small_server.base_url, local, "--all", token="wrong-token-1234")
    assert_refused(result, local, before, "HTTP 401: the catalog refused the token")
    assert "wrong-token-1234" not in result.stderr


def test_no_token(local: Path) -> None:
    before = tree(local)
    nowhere = "http://127.0.0.1:9"
    assert_refused(
        pull(nowhere, local, "--all", token=" "),
        local,
        before,
        "RUNCOMFY_API_TOKEN: not set",
    )
    assert_refused(pull(nowhere, local, "--all", token="a\x7fb"), local, before, "cannot be sent")


def test_network_error(local: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    before = tree(local)
    result = pull(f"http://127.0.0.1:{port}", local, "--all")
    assert_refused(result, local, before, "cannot read the catalog after 3 tries: ConnectError")


def test_bad_base_url(local: Path) -> None:
    before = tree(local)
    result = pull("file:///etc", local, "--all")
    assert_refused(result, local, before, "--base-url: expected http(s)://host[:port]")


# -- against a server that answers garbage ----------------------------------------------------


def page(*entries: Any, total: int | None = None) -> Scripted:
    return Scripted.json(
        {"models": list(entries), "total": len(entries) if total is None else total}
    )


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ({"/v1/models": Scripted(200, b"<html>oops</html>")}, "the answer is not JSON"),
        ({"/v1/models": Scripted(200, b'{"models": [], "total": NaN}')}, "not JSON"),
        ({"/v1/models": Scripted(200, b'{"models": [', missing_bytes=500)}, "RemoteProtocolError"),
        (
            {"/v1/models": Scripted(200, b"{}", missing_bytes=64 * 1024 * 1024)},
            "bytes is over the cap of",
        ),
        ({"/v1/models": Scripted.json([1, 2])}, '#: expected {"models": [...], "total": N}'),
        ({"/v1/models": Scripted.json({"models": {}, "total": 0})}, "#/models: expected a list"),
        ({"/v1/models": Scripted.json({"models": [entry()]})}, "#/total: expected a count"),
        ({"/v1/models": page(entry(), 7)}, "#/models/1: expected a model entry"),
        ({"/v1/models": page(entry(model_id=7))}, "#/models/0/model_id: must be a string"),
        ({"/v1/models": page(entry(model_id=[1]))}, "#/models/0/model_id: must be a string"),
        ({"/v1/models": Scripted(200, b'{"models": [], "total": 1e400}')}, "too large"),
        ({"/v1/models": page(entry(categories="video"))}, "#/categories: must be a list"),
        ({"/v1/models": page(entry(base_price_usd=-1))}, "#/base_price_usd: must be a finite"),
        # an integer past float range: math.isfinite raised OverflowError (internal error)
        (
            {"/v1/models": page(entry(base_price_usd=10**400))},
            "#/base_price_usd: must be a finite",
        ),
        # what Content-Encoding announces is not what came: httpx's DecodingError escaped
        (
            {"/v1/models": Scripted(200, b"\x1f\x8b junk", headers={"Content-Encoding": "gzip"})},
            "offset=0: the answer cannot be decoded (Content-Encoding: gzip)",
        ),
        ({"/v1/models": page(entry(input_schema=[]))}, "#/input_schema: the input schema must"),
        (
            {"/v1/models": page(entry(input_schema=None))},
            f"catalog:{SEEDANCE}#/input_schema: the catalog sent no input schema",
        ),
        (
            {
                "/v1/models": page(
                    entry(input_schema={"type": "object", "properties": {"p": {"type": "tensor"}}})
                )
            },
            f"error: catalog:{SEEDANCE}#/input_schema/properties/p/type: unknown type 'tensor'",
        ),
        (
            {
                "/v1/models@0": page(entry(), total=150),
                "/v1/models@1": page(entry("a/b/c"), total=151),
            },
            "the catalog changed while it was read (total 150, then 151)",
        ),
        (
            {"/v1/models@0": page(entry(), total=150), "/v1/models@1": page(total=150)},
            "no models at offset 1 though total says 150",
        ),
        (
            {"/v1/models@0": page(entry(), total=2), "/v1/models@1": page(entry(), total=2)},
            f"model '{SEEDANCE}' is on two pages",
        ),
        (
            {"/v1/models": Scripted(302, headers={"Location": "https://elsewhere.example/x"})},
            "HTTP 302: redirected to https://elsewhere.example/x; not followed",
        ),
        (
            {"/v1/models": Scripted.json({"error_code": 401001, "message": f"bad {TOKEN}"}, 401)},
            "refused the token; set RUNCOMFY_API_TOKEN to a valid API token (bad *** (error_code",
        ),
    ],
)
def test_garbage_answers(local: Path, script: dict[str, Scripted], expected: str) -> None:
    before = tree(local)
    with hostile(script) as (base_url, _):
        result = pull(base_url, local, "--all")
    assert_refused(result, local, before, expected)


@pytest.mark.parametrize(
    "model_id",
    ["../x/y", "/abs/x", "a/../../x", "a/\uff58/y", "a/x\u0430/y", "a/x.names", "a/.hidden", "a"],
)
def test_hostile_model_ids(local: Path, model_id: str) -> None:
    before = tree(local)
    with hostile({"/v1/models": page(entry(), entry(model_id))}) as (base_url, _):
        result = pull(base_url, local, "--all")
    assert_refused(result, local, before, "#/models/1/model_id: model id")


def test_a_model_id_that_is_another_models_folder_writes_nothing(local: Path) -> None:
    """``a/b.json/c`` needs a folder where ``a/b`` needs a file: the write failed and left
    ``a/.b.json.*.old`` behind (a placeholder made before the move that failed)."""
    before = tree(local)
    with hostile({"/v1/models": page(entry("a/b.json/c"), entry("a/b"))}) as (base_url, _):
        result = pull(base_url, local, "--all")
    assert_refused(result, local, before, "cannot write the model files")
    assert not (local / "a").exists()


def test_one_bad_model_among_many_writes_nothing(remote: Path, local: Path) -> None:
    """The last page's last model is unusable: the 100+ good ones before it are not written."""
    before = tree(local)
    last = {"model_id": "zz/last/text-to-image", "display_name": "Z", "output_type": "IMAGE"}
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    write_model(remote, catalog_model({**last, "input_schema": schema}))
    # serve refuses unusable files at start-up: spoil this one once it is loaded
    with serve_in_thread(remote, token=TOKEN) as server:
        served = server.state.catalog.documented("zz/last/text-to-image").input_schema
        served["properties"]["n"]["type"] = "tensor"
        result = pull(server.base_url, local, "--all")
    assert_refused(
        result,
        local,
        before,
        "error: catalog:zz/last/text-to-image#/input_schema/properties/n/type: unknown type "
        "'tensor'",
    )


def test_unwritable_schemas_folder(small_server: Any, tmp_path: Path) -> None:
    local = tmp_path / "schemas"
    local.mkdir()
    (local / "bytedance").write_text("a file where a folder is needed")
    before = tree(local)
    result = pull(small_server.base_url, local, "--all")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {local}: cannot write the model files: ")
    assert tree(local) == before
