"""`pull` end to end against `serve`: paging, filters, refresh, prune, dry run, precedence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from generator.cli import cli
from generator.schema.documented import DERIVED, load_model_file
from generator.schema.folder import load_folder
from generator.serve import serve_in_thread
from tests.pull.helpers import TOKEN, pull, tree
from tests.support.catalog import catalog_model, write_model
from tests.support.paths import ROOT

ALEPH = "runwayml/runway-aleph/video-to-video"
SEEDANCE = "bytedance/seedance-2.5/image-to-video/1080p"


def lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def test_all_pages_then_refresh_unchanged(server: Any, remote: Path, tmp_path: Path) -> None:
    count = len(tree(remote))  # 120 corpus models and the seeds (one seed is in both)
    assert count == 123
    local = tmp_path / "schemas"
    result = pull(server.base_url, local, "--all")
    assert result.exit_code == 0, result.stderr
    assert len(lines(result.stdout, "new: ")) == count
    assert result.stderr.endswith(f"pull: {count} new, 0 changed, 0 unchanged, 0 removed, 0 gone\n")
    pages = [r for r in server.requests("GET", "/v1/models") if r["outcome"] == 200]
    assert len(pages) == 2  # at 100 per page
    specs = load_folder(local)  # every written file normalizes
    assert len(specs) == count
    seedance = load_model_file(local / f"{SEEDANCE}.json")
    assert seedance.source == "catalog" and seedance.output_schema_source == DERIVED
    assert seedance.catalog is not None
    assert seedance.catalog.display_name == "RunComfy Seedance 2.5 I2V 1080p"
    assert seedance.catalog.categories == ("text-to-video",)
    assert (seedance.catalog.base_price_usd, seedance.catalog.price_unit) == (0.12, "second")
    assert list(seedance.output_schema["output"]["properties"]) == ["video", "videos"]
    # The seed pages were served with derived catalog facts.
    aleph = load_model_file(local / f"{ALEPH}.json")
    assert aleph.catalog is not None and aleph.catalog.categories == ("video-to-video",)
    assert aleph.catalog.display_name == "Runway Aleph Video to Video"
    before = tree(local)
    again = pull(server.base_url, local)  # no names: refresh what is stored
    assert again.exit_code == 0, again.stderr
    assert len(lines(again.stdout, "unchanged: ")) == count
    assert tree(local) == before


def test_filters(server: Any, tmp_path: Path) -> None:
    glob = pull(server.base_url, tmp_path / "a", "bytedance/*")
    ids = [line.split()[1] for line in lines(glob.stdout, "new: ")]
    assert glob.exit_code == 0 and ids and all(i.startswith("bytedance/") for i in ids)
    assert "bytedance/dreamina-3-0/pro/image-to-video" in ids

    audio = pull(server.base_url, tmp_path / "b", "--category", "text-to-audio")
    assert audio.exit_code == 0
    assert len(lines(audio.stdout, "new: ")) == 6

    union = pull(server.base_url, tmp_path / "c", ALEPH, "--category", "text-to-audio")
    assert len(lines(union.stdout, "new: ")) == 7

    before = len(server.requests("GET", "/v1/models"))
    one = pull(server.base_url, tmp_path / "d", SEEDANCE, SEEDANCE)  # named twice: once
    assert one.exit_code == 0 and one.stdout.startswith(f"new: {SEEDANCE} ")
    assert one.stdout.count("\n") == 1
    assert len(server.requests("GET", "/v1/models")) == before  # fetched alone
    assert server.requests("GET", f"/v1/models/{SEEDANCE}")[-1]["outcome"] == 200
    assert sorted(tree(tmp_path / "d")) == [f"{SEEDANCE}.json"]


def test_selection_errors(server: Any, tmp_path: Path) -> None:
    local = tmp_path / "schemas"
    typo = pull(server.base_url, local, "bytedanse/*")
    assert typo.exit_code == 2
    assert typo.stderr == "error: pull: 'bytedanse/*' matches no model in the catalog\n"
    category = pull(server.base_url, local, "--category", "text-to-smell")
    assert category.exit_code == 2 and "no catalog model has category 'text-to-smell'" in (
        category.stderr
    )
    missing = pull(server.base_url, local, "nobody/no-model/text-to-image")
    assert missing.exit_code == 2
    assert missing.stderr == (
        "error: catalog:nobody/no-model/text-to-image: not in the catalog (HTTP 404)\n"
    )
    unsafe = pull(server.base_url, local, "a/../../etc")
    assert unsafe.exit_code == 2 and "unsafe segment '..'" in unsafe.stderr
    assert not server.requests("GET", "/v1/models/a/../../etc")
    empty = pull(server.base_url, local)
    assert empty.exit_code == 2 and "holds no models to refresh" in empty.stderr
    assert not local.exists()


def test_changed_gone_and_prune(corpus: list[dict[str, Any]], tmp_path: Path) -> None:
    remote, local = tmp_path / "remote", tmp_path / "schemas"
    for entry in corpus[:8]:  # paging is tested above; this needs few models
        write_model(remote, catalog_model(entry))
    with serve_in_thread(remote, token=TOKEN) as server:
        assert pull(server.base_url, local, "--all").exit_code == 0
    gone_id = corpus[1]["model_id"]
    (remote / f"{gone_id}.json").unlink()
    changed = dict(corpus[0])
    schema = json.loads(json.dumps(changed["input_schema"]))
    schema["properties"]["seed_of_doubt"] = {"type": "integer"}
    schema["required"] = [*schema.get("required", []), "seed_of_doubt"]
    write_model(remote, catalog_model({**changed, "input_schema": schema}))
    with serve_in_thread(remote, token=TOKEN) as server:
        listed = pull(server.base_url, local)
        assert listed.exit_code == 0, listed.stderr
        assert lines(listed.stdout, "gone: ") == [
            f"gone: {gone_id} -> {local / gone_id}.json (gone from the catalog; --prune removes it)"
        ]
        [line] = lines(listed.stdout, "changed: ")
        assert line.startswith(f"changed: {SEEDANCE} -> ")
        assert line.endswith(
            "(from catalog): 1 added, 1 changed "
            "(/input_schema/properties/seed_of_doubt, /input_schema/required)"
        )
        assert f"{SEEDANCE}: 1 change (1 breaking); semver bump: major" in listed.stderr
        assert "required-property-added" in listed.stderr
        assert (local / f"{gone_id}.json").exists()
        assert "seed_of_doubt" in (local / f"{SEEDANCE}.json").read_text("utf-8")

        before_prune = tree(local)
        pruned = pull(server.base_url, local, "--all", "--prune")
        assert pruned.exit_code == 0, pruned.stderr
        assert lines(pruned.stdout, "removed: ") == [
            f"removed: {gone_id} -> {local / gone_id}.json (gone from the catalog)"
        ]
        assert f"{gone_id}: 1 change (1 breaking); semver bump: major" in pruned.stderr
        assert "model-removed" in pruned.stderr
        assert not (local / f"{gone_id}.json").exists()
        assert tree(local) == {
            name: data for name, data in before_prune.items() if name != f"{gone_id}.json"
        }


def test_dry_run_writes_nothing(server: Any, tmp_path: Path) -> None:
    local = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", local)
    before = tree(local)
    result = pull(server.base_url, local, "--all", "--dry-run")
    assert result.exit_code == 0
    assert len(lines(result.stdout, "new: ")) == 119
    assert len(lines(result.stdout, "changed: ")) == 4  # the seeds gain catalog facts
    assert result.stderr.endswith("(dry run: nothing written)\n")
    assert tree(local) == before


def test_page_wins_and_the_difference_is_shown(tmp_path: Path, seed_pages: list[Path]) -> None:
    """A page-imported model keeps the page's schemas and gains the catalog's facts; the
    catalog's differing input schema is shown, on every pull, as a classified diff."""
    page_file = ROOT / "schemas" / f"{ALEPH}.json"
    local = tmp_path / "schemas"
    (local / ALEPH).parent.mkdir(parents=True)
    shutil.copy(page_file, local / f"{ALEPH}.json")
    page = load_model_file(page_file)
    schema = json.loads(json.dumps(page.input_schema))
    schema["properties"]["prompt"]["maxLength"] = 2000
    schema["properties"]["seed"] = {"type": "integer", "minimum": 0}
    entry = {"model_id": ALEPH, "display_name": "Runway Aleph", "output_type": "VIDEO"}
    remote = tmp_path / "remote"
    write_model(remote, catalog_model({**entry, "input_schema": schema}))
    with serve_in_thread(remote, token=TOKEN) as server:
        first = pull(server.base_url, local)
        second = pull(server.base_url, local)
    assert first.exit_code == 0 and second.exit_code == 0
    assert first.stdout == (
        f"changed: {ALEPH} -> {local / ALEPH}.json (from {page.source}): 1 added (/catalog)\n"
    )
    assert second.stdout.startswith(f"unchanged: {ALEPH} -> ")
    for result in (first, second):
        assert (
            f"  {ALEPH}: the page's schemas are kept; the catalog's input schema differs from "
            "the page's (page -> catalog):\n"
            f"  {ALEPH}: 2 changes (2 non-breaking); semver bump: minor\n"
        ) in result.stderr
        assert "length-widened" in result.stderr and "property-added" in result.stderr
    kept = load_model_file(local / f"{ALEPH}.json")
    assert kept.source == page.source and kept.output_schema_source is None
    assert (kept.input_schema, kept.output_schema, kept.example) == (
        page.input_schema,
        page.output_schema,
        page.example,
    )
    assert kept.catalog is not None and kept.catalog.display_name == "Runway Aleph"
    # Importing the page again keeps the catalog's facts: the two commands do not fight.
    seed = next(path for path in seed_pages if path.name == page.source)
    imported = CliRunner().invoke(cli, ["import", str(seed), "--schemas-dir", str(local)])
    assert imported.exit_code == 0, imported.stderr
    assert imported.stdout.startswith(f"unchanged: {ALEPH} -> ")
    assert load_model_file(local / f"{ALEPH}.json") == kept


def test_base_url_from_the_environment(small_server: Any, tmp_path: Path) -> None:
    """Like ``run``: --base-url, then $RUNCOMFY_BASE_URL, then the file, then the default."""
    local = tmp_path / "schemas"

    def invoke(*args: str, base_url: str | None) -> Any:
        env = {"RUNCOMFY_API_TOKEN": TOKEN, "RUNCOMFY_BASE_URL": base_url}
        command = ["--isolated", "pull", "--schemas-dir", str(local), "--all", "--dry-run", *args]
        return CliRunner().invoke(cli, command, env=env, catch_exceptions=False)

    from_env = invoke(base_url=small_server.base_url)
    assert from_env.exit_code == 0, from_env.stderr
    assert len(lines(from_env.stdout, "new: ")) == 8
    refused = "http://127.0.0.1:1"  # nothing listens there; the flag must win over it
    from_flag = invoke("--base-url", small_server.base_url, base_url=refused)
    assert from_flag.exit_code == 0, from_flag.stderr
    assert not local.exists()  # --dry-run
