"""The templates ship in the wheel: an installed runcomfy-codegen generates in an empty folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def test_installed_wheel_generates_from_copied_schemas(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], ROOT)
    (wheel,) = dist.glob("runcomfy_codegen-*.whl")
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env)
    python = env / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--no-index", "--find-links", str(dist),
          "--no-deps", str(wheel)], tmp_path)  # fmt: skip
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "schemas", work / "schemas")
    # The venv has no dependencies installed: give it the test environment's site-packages
    # after its own, so that only runcomfy-codegen itself comes from the wheel.
    site_packages = sysconfig.get_paths()["purelib"]
    code = (
        f"import sys; sys.path.append({site_packages!r}); "
        "import generator; assert 'site-packages' in generator.__file__, generator.__file__; "
        f"assert {str(ROOT)!r} not in generator.__file__; "
        "from generator.cli import main; sys.argv = ['runcomfy-codegen', 'generate']; main()"
    )
    _run([str(python), "-c", code], work)
    assert (work / "generated/python/runcomfy_models/_runtime/_types.py").is_file()
    assert (
        work / "generated/schemas/runwayml/runway-aleph/video-to-video/input.schema.json"
    ).is_file()
    assert list((work / "generated/python/runcomfy_models/_runtime").glob("*.py"))
