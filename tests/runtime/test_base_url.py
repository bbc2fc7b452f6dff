"""A base URL with the API version on its end (as RunComfy's CLI writes its base) is the same
base: every request path starts with ``/v1``."""

from __future__ import annotations

import pytest

from generator.catalog.client import check_base_url
from generator.runtime import ClientBase


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("https://model-api.runcomfy.net/v1", "https://model-api.runcomfy.net"),  # the CLI's
        ("https://model-api.runcomfy.net/v1/", "https://model-api.runcomfy.net"),
        ("http://proxy.test/runcomfy/v1", "http://proxy.test/runcomfy"),
        ("https://model-api.runcomfy.net", "https://model-api.runcomfy.net"),
        ("https://v1", "https://v1"),  # a host called v1 is a host
        ("http://proxy.test/apiv1", "http://proxy.test/apiv1"),
    ],
)
def test_a_base_url_may_end_in_the_api_version(given: str, used: str) -> None:
    with ClientBase("t0ken", base_url=given) as client:
        assert client.base_url == used
    assert check_base_url(given) == used
