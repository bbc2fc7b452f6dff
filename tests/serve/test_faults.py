"""Fault specs (CLI strings and JSON files) and how a plan hands faults out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.serve.faults import Fault, FaultPlan, load_faults_file, parse_fault


def test_parse_status_fault_with_count() -> None:
    fault = parse_fault("POST /v1/models/*:429:count=2:retry_after=3")
    assert fault == Fault("POST", "/v1/models/*", "429", count=2, retry_after=3.0)
    assert fault.status == 429
    assert fault.matches("POST", "/v1/models/a/b/c")
    assert not fault.matches("GET", "/v1/models/a/b/c")
    assert not fault.matches("POST", "/v1/requests/x/cancel")


def test_parse_shorthands() -> None:
    assert parse_fault("get /v1/requests/*/status:slow=250").ms == 250
    assert parse_fault("* /v1/*:error-200=400002").error_code == 400002
    assert parse_fault("POST /v1/models/*:drop-after:after=1").after == 1
    assert parse_fault("POST /v1/models/*:fail:message=GPU on fire").message == "GPU on fire"


def test_message_runs_to_the_end_of_the_spec() -> None:
    """A redirect's Location is a URL, a failure's text may hold ':' (docs/serve.md)."""
    redirect = parse_fault("* /v1/*:redirect:count=1:message=http://127.0.0.1:9/x")
    assert (redirect.count, redirect.message) == (1, "http://127.0.0.1:9/x")
    assert parse_fault("POST /v1/models/*:fail:message=oom: GPU 0").message == "oom: GPU 0"


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("POST /v1/models/*", "not 'METHOD PATTERN:KIND"),
        ("POST /v1/models/*:teapot", "unknown fault kind 'teapot'"),
        ("POST /v1/models/*:302", "not an error status"),
        ("POST /v1/models/*:503:count=0", "count must be at least 1"),
        ("POST /v1/models/*:503:count=two", "is not a number"),
        ("POST /v1/models/*:503:times=2", "unknown fault option 'times'"),
        ("POST /v1/models/*:503:count", "is not name=value"),
        ("POST /v1/models/*:slow", "needs ms="),
        ("FETCH /v1/models/*:503", "unknown method 'FETCH'"),
        ("POST v1/models:503", "must start with '/'"),
        # NaN passes every comparison: it was accepted and sent as `Retry-After: nan`.
        ("* /v1/*:429:retry_after=nan", "retry_after must be 0 to 86400 seconds, not nan"),
        ("* /v1/*:429:retry_after=inf", "retry_after must be 0 to 86400 seconds, not inf"),
        ("* /v1/*:429:retry_after=-1", "retry_after must be 0 to 86400 seconds, not -1.0"),
        # time.sleep() refuses this many seconds: the answering thread died instead.
        ("* /v1/*:slow=99999999999999", "ms must be at most 3600000 (an hour)"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, problem: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_fault(spec)
    assert problem in str(info.value)


def test_plan_counts_after_and_order() -> None:
    plan = FaultPlan.of(
        [
            parse_fault("POST /v1/models/*:slow=5"),
            parse_fault("POST /v1/models/*:503:after=1:count=2"),
        ]
    )
    kinds = [[f.kind for f in plan.draw("POST", "/v1/models/m/x")] for _ in range(5)]
    assert kinds == [["slow"], ["slow", "503"], ["slow", "503"], ["slow"], ["slow"]]
    assert plan.draw("GET", "/v1/models/m/x") == []
    assert plan.report() == [
        {"fault": "POST /v1/models/*:slow", "seen": 5, "fired": 5},
        {"fault": "POST /v1/models/*:503", "seen": 5, "fired": 2},
    ]
    plan.replace_all([parse_fault("* /*:drop:count=1")])
    assert [f.kind for f in plan.draw("GET", "/anything")] == ["drop"]
    assert plan.draw("GET", "/anything") == []


def test_faults_file(tmp_path: Path) -> None:
    path = tmp_path / "faults.json"
    path.write_text(
        json.dumps(
            [
                {"method": "POST", "path": "/v1/models/*", "kind": "503", "count": 2},
                {"path": "/v1/requests/*/result", "kind": "slow", "ms": 100},
            ]
        )
    )
    assert load_faults_file(path) == [
        Fault("POST", "/v1/models/*", "503", count=2),
        Fault("*", "/v1/requests/*/result", "slow", ms=100),
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{}", "faults.json#: a faults file must hold a JSON list"),
        ("[1]", "faults.json#/0: a fault must be an object"),
        ('[{"path": "/x"}]', "faults.json#/0: a fault needs 'kind'"),
        (
            '[{"path": "/x", "kind": "503"}, {"path": "/x", "kind": "bad"}]',
            "#/1: unknown fault kind",
        ),
        ("[", "faults.json: not valid JSON (line 1 column 2)"),
    ],
)
def test_bad_faults_file_names_file_and_pointer(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "faults.json"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        load_faults_file(path)
    assert expected in str(info.value)
