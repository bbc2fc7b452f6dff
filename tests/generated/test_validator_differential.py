"""The generated validators agree with jsonschema on every payload drawn from the corpus.

For each of the 120 normalized corpus schemas, hypothesis-jsonschema draws valid payloads
(a few per schema, derandomized: the suite stays fast and repeatable) and each is mutated:
required keys dropped, unknown keys added, every input set to values of every JSON type, to
the edges of its range and length and item count, to enum misses and to URLs that are and
are not RFC 3986. The generated ``validate()`` and ``jsonschema`` (Draft 2020-12 with format
checking, ``format-nongpl``) must agree on validity for each one.

The one documented difference (the URL rule in ``_validation``): a URL with a trailing
newline, which jsonschema's ``uri`` check lets through, is refused.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator, FormatChecker

from generator.runtime._validation import is_url
from generator.schema.ir import Constraints, ModelSpec
from tests.support.sdk import model_module

_DRAWN_PER_SCHEMA = 5
_FORMATS = FormatChecker()
_URLS = [
    "https://example.com/a.png",
    "http://[::1]:8080/x?y=1#z",
    "https://user:pw@example.com/%20x",
    "mailto:someone@example.com",
    "urn:isbn:0451450523",
    "s3://bucket/key",
    "C:\\images\\a.png",
    "[::1",
    "http://[::1",
    "<y>",
    "/relative/path.png",
    "relative.png",
    "http://a b.com/",
    "https://example.com/%zz",
    "https://exa mple.com",
    "",
    " https://example.com/a.png",
    "https://example.com/é",
    "http://",
    "a:",
]
_ANY = [None, True, False, 0, 1, -1, 2.5, 3.0, "", "5", "yes", [], {}, ["x"], {"a": 1}]


def _draw(spec: ModelSpec) -> list[dict[str, Any]]:
    schema = {k: v for k, v in spec.input_schema.items() if k not in ("$schema", "$id")}
    drawn: list[dict[str, Any]] = []

    @settings(
        max_examples=_DRAWN_PER_SCHEMA, derandomize=True, deadline=None, database=None,
        phases=[Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(from_schema(schema))
    def collect(payload: dict[str, Any]) -> None:
        drawn.append(payload)

    collect()
    return drawn


def _edges(c: Constraints) -> list[Any]:
    """Values at and just past each limit of ``c``."""
    values: list[Any] = []
    for limit in (c.minimum, c.maximum, c.exclusive_minimum, c.exclusive_maximum):
        if limit is not None:
            values += [limit, limit - 1, limit + 1, limit - 0.5, limit + 0.5, float(limit)]
    for length in (c.min_length, c.max_length):
        if length is not None:
            values += ["x" * max(0, length - 1), "x" * length, "x" * (length + 1)]
    for count in (c.min_items, c.max_items):
        if count is not None:
            item = "https://example.com/i.png" if c.items and c.items.is_url else "x"
            values += [[item] * max(0, count - 1), [item] * count, [item] * (count + 1)]
    if c.enum:
        values += list(c.enum) + [f"{c.enum[0]}!", 81.0, True]
        values += [float(o) for o in c.enum if isinstance(o, int) and not isinstance(o, bool)]
    if c.is_url:
        values += _URLS
    if c.items is not None:
        values += [[v] for v in _edges(c.items) + _ANY[:6]]
        values += [["https://example.com/a.png", None]]
    return values


def _mutations(spec: ModelSpec, payload: dict[str, Any], deep: bool) -> Iterator[dict[str, Any]]:
    yield payload
    yield {**payload, "not_an_input": 1}
    for key in spec.input_schema.get("required", []):
        yield {k: v for k, v in payload.items() if k != key}
    if not deep:
        return
    for field in spec.fields:
        for value in _ANY + _edges(field.constraints):
            yield {**payload, field.wire_key: copy.deepcopy(value)}


def test_generated_validators_agree_with_jsonschema(
    corpus_sdk: ModuleType, corpus_specs: list[ModelSpec]
) -> None:
    compared = 0
    invalid = 0
    for spec in corpus_specs:
        module = model_module(corpus_sdk, spec.model_id)
        reference = Draft202012Validator(spec.input_schema, format_checker=_FORMATS)
        for index, drawn in enumerate(_draw(spec)):
            for payload in _mutations(spec, drawn, deep=index == 0):
                ours = [i for i in module.validate(payload) if i.is_error]
                theirs = list(reference.iter_errors(payload))
                assert (not ours) == (not theirs), (
                    spec.model_id, payload, [str(i) for i in ours], [e.message for e in theirs]
                )  # fmt: skip
                compared += 1
                invalid += bool(ours)
    assert compared > 20_000 and invalid > compared // 2, (compared, invalid)


def test_every_problem_in_one_pass(corpus_sdk: ModuleType, corpus_specs: list[ModelSpec]) -> None:
    """Every input jsonschema finds broken, in one call (fastjsonschema stops at the first)."""
    for spec in corpus_specs:
        module = model_module(corpus_sdk, spec.model_id)
        reference = Draft202012Validator(spec.input_schema, format_checker=_FORMATS)
        payload: dict[str, Any] = {"not_an_input": 1}
        for field in spec.fields:
            payload[field.wire_key] = None if field.json_type != "null" else 1
        ours = {i.pointer for i in module.validate(payload) if i.is_error}
        theirs = {
            "/not_an_input" if error.validator == "additionalProperties" else
            "".join(f"/{part}" for part in error.absolute_path)
            for error in reference.iter_errors(payload)
        }  # fmt: skip
        assert ours == theirs, spec.model_id
        assert len(ours) == len(spec.fields) + 1


def test_the_one_documented_difference_trailing_newline() -> None:
    url = "https://example.com/a.png\n"
    assert _FORMATS.conforms(url, "uri")
    assert not is_url(url)
    assert is_url(url.rstrip("\n"))


def test_serve_and_lint_share_the_url_rule() -> None:
    """``serve`` and ``lint`` check ``uri`` with the runtime's rule (generator.schema.formats)."""
    from generator.schema.formats import format_checker

    shared = format_checker()
    for url in [*_URLS, "https://example.com/a.png\n"]:
        assert shared.conforms(url, "uri") == is_url(url), url
        assert is_url(url) == (_FORMATS.conforms(url, "uri") and not url.endswith("\n")), url
