"""A normal (non-editable) install: the wheel built from a clean copy of the sources, installed into a fresh
virtualenv, builds a project and serves its pages (templates included) over real HTTP."""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests
import yaml

from .conftest import ROOT, copy_project, free_port

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `b40graph` command of a fresh virtualenv holding only the wheel and its dependencies."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # the tracked sources only: no egg-info or build folder of an editable install
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", tmp / "dist", source, cwd=tmp)
    (wheel,) = glob.glob(str(tmp / "dist" / "b40graph-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    templates = sorted(p.name for p in (ROOT / "src/b40graph/web/templates").glob("*.html"))
    assert templates and all(f"b40graph/web/templates/{t}" in names for t in templates), names
    folder = ROOT / "src/b40graph/web/static"
    static = sorted(str(p.relative_to(ROOT / "src")) for p in folder.rglob("*") if p.is_file())
    assert "b40graph/web/static/yasgui/yasgui.min.js" in static and "b40graph/web/static/yasgui/LICENSE" in static
    assert all(s in names for s in static), sorted(set(static) - set(names))  # the query editor's files
    _run(sys.executable, "-m", "venv", tmp / "venv", cwd=tmp)
    _run(tmp / "venv/bin/python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp, timeout=900)
    where = _run(tmp / "venv/bin/python", "-c", "import b40graph; print(b40graph.__file__)", cwd=tmp)
    assert Path(where.strip()).is_relative_to(tmp / "venv"), where  # the installed copy, not src/
    return tmp / "venv/bin/b40graph"


def test_the_installed_wheel_serves_html_pages(installed, tmp_path):
    project = copy_project(tmp_path / "project")
    founding = project / "data/declarations/2021-11-30-b40-founding-declaration.md"
    meta = yaml.safe_load(founding.read_text(encoding="utf-8").split("\n---\n")[0])  # the front matter
    _run(installed, "build", "--root", project, cwd=tmp_path)
    port = free_port()
    command = [installed, "serve", "--root", project, "--no-build", "--port", str(port), "--query-workers", "1"]
    proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                requests.get(url + "/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        html = {"Accept": "text/html"}
        home = requests.get(url + "/", headers=html, timeout=30)
        assert home.status_code == 200 and home.headers["Content-Type"].startswith("text/html"), home.text[:500]
        assert "<!doctype html>" in home.text.lower() and meta["title"] in home.text
        page = requests.get(f"{url}/doc/declaration/{meta['id']}", headers=html, timeout=30)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html"), page.text[:500]
        assert meta["title"] in page.text and "<h1" in page.text
        editor = requests.get(url + "/sparql", headers=html, timeout=30)
        for src in re.findall(r'<script src="(/static/[^"]+)"', editor.text):  # served from the installed package
            asset = requests.get(url + src, timeout=30)
            assert asset.status_code == 200 and len(asset.content) > 1000, src
        assert "yasgui.min.js" in editor.text
        missing = requests.get(url + "/doc/declaration/no-such-thing", headers=html, timeout=30)
        assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/html")
        assert "no-such-thing" in missing.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
