"""serve's catalog endpoints, read the way RunComfy's CLI and ComfyUI partner nodes read them."""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import pytest

from generator.schema.documented import CatalogInfo, load_model_file
from generator.serve import serve_in_thread
from tests.serve.conftest import ALEPH, DREAMINA, SCHEMAS, TOKEN
from tests.support.catalog import schemas_with_catalog_info


def test_list_pages_with_limit_offset_and_total(client: httpx.Client) -> None:
    first = client.get("/v1/models", params={"limit": 3, "offset": 0}).json()
    assert first["total"] == 4 and len(first["models"]) == 3
    rest = client.get("/v1/models", params={"limit": 3, "offset": 3}).json()
    assert rest["total"] == 4 and len(rest["models"]) == 1
    ids = [m["model_id"] for m in first["models"] + rest["models"]]
    assert ids == sorted(ids) and ALEPH in ids
    assert all("input_schema" not in m for m in first["models"])
    past = client.get("/v1/models", params={"offset": 10}).json()
    assert past == {"models": [], "total": 4}


def test_include_schema_and_filters_like_runcomfy_cli(client: httpx.Client) -> None:
    # runcomfy-cli `models list`: limit, offset, then search / category / kind / include_schema
    query: dict[str, str | int] = {
        "limit": 20,
        "offset": 0,
        "search": "ALEPH",
        "include_schema": "true",
    }
    [aleph] = client.get("/v1/models", params=query).json()["models"]
    assert aleph["input_schema"] == load_model_file(SCHEMAS / f"{ALEPH}.json").input_schema
    by_category = client.get("/v1/models", params={"category": "image-to-video"}).json()
    assert by_category["total"] == 3 and ALEPH not in {m["model_id"] for m in by_category["models"]}
    assert client.get("/v1/models", params={"kind": "workflow"}).json()["total"] == 0
    categories = client.get("/v1/models/categories").json()
    assert categories == {"categories": ["image-to-video", "video-to-video"]}


def test_one_model_carries_a_price_the_partner_nodes_accept(client: httpx.Client) -> None:
    # The ComfyUI partner nodes GET /v1/models/{id} before submitting and refuse a price that
    # is missing, negative, not finite or in another unit than their model's (second: video).
    answer = client.get(
        f"/v1/models/{DREAMINA}",
        headers={"Accept": "application/json", "Cache-Control": "no-cache"},
    )
    assert answer.status_code == 200
    entry = answer.json()
    assert entry["model_id"] == DREAMINA
    price = entry["base_price_usd"]
    assert isinstance(price, float) and math.isfinite(price) and price >= 0
    assert entry["price_unit"] == "second" and entry["kind"] == "model"
    assert entry["display_name"] == "Dreamina 3 0 Pro Image to Video"  # derived: a page file
    assert entry["categories"] == ["image-to-video"]
    assert "properties" in entry["input_schema"]


def test_catalog_facts_of_a_pulled_file_are_answered_as_stored(tmp_path: Path) -> None:
    info = CatalogInfo("Runway Aleph", ("video-to-video",), "model", 0.25, "second", "per second")
    folder = schemas_with_catalog_info(SCHEMAS, tmp_path / "schemas", ALEPH, info)
    with serve_in_thread(folder, token=TOKEN) as server:
        entry = httpx.get(
            f"{server.base_url}/v1/models/{ALEPH}", headers={"Authorization": f"Bearer {TOKEN}"}
        ).json()
    assert {k: entry[k] for k in ("display_name", "base_price_usd", "pricing_note")} == {
        "display_name": "Runway Aleph",
        "base_price_usd": 0.25,
        "pricing_note": "per second",
    }


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/models/nobody/nothing/text-to-image", {}, 404),
        ("/v1/models", {"limit": "lots"}, 400),
        ("/v1/models", {"limit": "0"}, 400),
        ("/v1/models", {"offset": "-1"}, 400),
        ("/v1/models", {"include_schema": "maybe"}, 400),
    ],
)
def test_errors_have_the_documented_shape(
    client: httpx.Client, path: str, params: dict[str, str], status: int
) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == status
    assert set(answer.json()) >= {"error_code", "message"}


def test_catalog_needs_the_token(server: object, client: httpx.Client) -> None:
    base = str(client.base_url)
    assert httpx.get(f"{base}/v1/models").status_code == 401
    assert httpx.get(f"{base}/v1/models/categories").status_code == 401
    # POST under /v1/models stays submit
    assert client.post(f"/v1/models/{ALEPH}", json={}).status_code == 422
