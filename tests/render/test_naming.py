"""Module names of models never replace an attribute the client classes already have."""

from __future__ import annotations

import importlib
import sys

from generator.render.naming import CLIENT_ATTRIBUTES, module_name
from generator.runtime._client import AsyncClientBase, ClientBase
from tests.support.paths import PACKAGE_ROOT


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def test_client_attributes_are_the_runtime_and_package_clients_own() -> None:
    own = _public(ClientBase) | _public(AsyncClientBase)
    sys.path.insert(0, str(PACKAGE_ROOT))
    try:
        package = importlib.import_module("runcomfy_models")
        for client in (package.RunComfy, package.AsyncRunComfy):
            own |= _public(client) - set(package.MODELS.values())
    finally:
        sys.path.remove(str(PACKAGE_ROOT))
    assert own == CLIENT_ATTRIBUTES


def test_a_model_id_spelling_a_client_attribute_gets_a_suffix() -> None:
    assert module_name("base/url") == "base_url_model"
    assert module_name("acme/flux/text-to-image") == "acme_flux_text_to_image"
