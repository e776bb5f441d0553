"""geoclaims as a user of the published package gets it: the wheel built from this checkout,
installed in a fresh virtual environment, run from a folder outside the checkout.

The fresh environment sees the test environment's dependencies through a .pth file (so nothing is
downloaded) but not its editable geoclaims: the wheel is installed with `pip --no-deps`, and the
test proves the `kg` it runs is the installed copy.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import requests
from conftest import _free_port, _stop, _wait_until_answering

ROOT = Path(__file__).resolve().parent.parent


def _run(*argv: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(the venv's bin/, a work folder outside the checkout, the environment to run in)."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "PYTHON"))}
    wheels = tmp / "wheels"
    # As a user would: `pip wheel .` (setuptools from the package index, in isolation).
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, ROOT,
         cwd=tmp, env=env)  # fmt: skip
    (wheel,) = wheels.glob("geoclaims-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("kg/bundled/ontology/geoclaims.ttl", "kg/bundled/ontology/shapes.ttl",
                    "kg/bundled/queries/disputed-claims.rq", "kg/bundled/data/entities.yaml",
                    "kg/bundled/data/articles/belarus-protests-2020/claims.yaml",
                    "kg/web/templates/base.html"):  # fmt: skip
        assert shipped in names, shipped
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp, env=env)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    parents = [p for p in {*site.getsitepackages(), sysconfig.get_path("purelib")} if p]
    (purelib / "parent-environment.pth").write_text("\n".join(parents) + "\n")
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q",
         "--no-deps", "--no-index", wheel, cwd=tmp, env=env)  # fmt: skip
    work = tmp / "elsewhere"
    work.mkdir()
    return venv / "bin", work, env


def test_the_installed_copy_runs_not_the_checkout(
    installed: tuple[Path, Path, dict[str, str]],
) -> None:
    bin_dir, work, env = installed
    where = _run(bin_dir / "python", "-c", "import kg, kg.sources as s; "
                 "print(kg.__file__); print(s.in_checkout()); print(s.shipped('ontology'))",
                 cwd=work, env=env).stdout.split()  # fmt: skip
    assert where[0].startswith(str(bin_dir.parent)) and not where[0].startswith(str(ROOT))
    assert where[1] == "False"
    assert where[2].startswith(str(bin_dir.parent)) and where[2].endswith("kg/bundled/ontology")


def test_init_build_query_and_serve_outside_the_checkout(
    installed: tuple[Path, Path, dict[str, str]],
) -> None:
    bin_dir, work, env = installed
    kg = bin_dir / "kg"
    _run(kg, "init", "project", cwd=work, env=env)
    project = work / "project"
    built = _run(kg, "build", "--no-shacl", cwd=project, env=env)
    assert f"kg: project {project}; ontology from the package" in built.stderr
    assert (project / "var" / "store").is_dir()
    answer = _run(kg, "query", "disputed-claims", "--format", "json", cwd=project, env=env)
    rows = json.loads(answer.stdout)["results"]["bindings"]
    assert len(rows) == 4 and all(r["disputantLabel"]["value"] == "NATO" for r in rows)
    port = _free_port()
    log_path = work / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(kg), "serve", "--port", str(port), "--workers", "1"],
            cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        _wait_until_answering(process, url, log_path, seconds=120)
        response = requests.post(
            url,
            data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://schema.org/Claim> }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        assert response.json()["results"]["bindings"][0]["n"]["value"] == "51"
        page = requests.get(f"http://127.0.0.1:{port}/entity/belarus", timeout=30)
        assert page.status_code == 200 and "Belarus" in page.text
    finally:
        _stop(process, seconds=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
