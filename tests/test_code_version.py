"""Every piece of build state is keyed on the whole package's code: a changed byte of any module or template
makes the build not current, misses the ingest cache, forces a whole-graph validation and reuses neither
the dump pieces nor the store of the release before (publish.state.BuildState)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from b40graph.core import version
from b40graph.core.settings import Settings
from b40graph.pipeline import build, compile_dataset, fingerprint, is_current
from b40graph.publish import compress, dumps
from b40graph.publish.state import BuildState, state_key

from .conftest import copy_project


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] = data[-1] ^ 0x01 if data[-1] != 0x0A else 0x20  # one byte changed, still text
    path.write_bytes(bytes(data))


@pytest.fixture
def package(tmp_path, monkeypatch) -> Path:
    """A copy of the installed package that the code version reads instead of the real one."""
    copy = tmp_path / "pkg"
    shutil.copytree(version.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(version, "PACKAGE_DIR", copy)
    yield copy
    version._tree_hash.cache_clear()


def test_the_code_version_covers_every_file_of_the_package(package):
    before = version.code_version()
    assert before == version.code_version()  # stable
    for name in ("web/templates/base.html", "web/pages.py", "core/formats.py", "model/assemble.py"):
        _flip(package / name)
        version._tree_hash.cache_clear()  # a new process
        after = version.code_version()
        assert after != before, name
        before = after
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    version._tree_hash.cache_clear()
    assert version.code_version() == before  # byte code is not code


@pytest.mark.parametrize("name", ["web/templates/resource.html", "publish/description.py", "reason/rules.py"])
def test_a_code_change_makes_the_build_stale_and_misses_every_cache(tmp_path, package, name):
    root = copy_project(tmp_path / "project")
    settings = Settings(root=root, out=root / "dist")
    build(settings)
    assert is_current(settings)
    old_print, old_key = fingerprint(settings), state_key(settings)
    pieces = root / "dist" / "cache" / "pieces"
    cached = {p.name for p in pieces.glob("*.pickle")}
    summit = next((root / "data" / "declarations").glob("*sofia*"))
    summit.write_text(summit.read_text(encoding="utf-8").replace("title: ", "title: Revised ", 1), "utf-8")
    assert compile_dataset(settings).validation != "the whole graph"  # same code: only the change is validated
    assert BuildState(settings).previous is not None

    _flip(package / name)
    version._tree_hash.cache_clear()  # a new process
    assert fingerprint(settings) != old_print
    assert state_key(settings) != old_key
    assert BuildState(settings).previous is None  # the release's state, of other code, is refused whole
    assert compile_dataset(settings).validation == "the whole graph"
    build(settings)
    assert is_current(settings)
    assert not cached & {p.name for p in pieces.glob("*.pickle")}  # no piece of the old code is used or kept


def test_a_code_change_reuses_no_dump_piece_and_no_store(tmp_path, package, monkeypatch):
    """The dump pieces and the store of the release before are state too: after a code change a rebuild
    makes every piece and loads a new store, where the same rebuild without it copies and updates."""
    copied: list[str] = []
    copy = compress.PieceWriter.copy
    monkeypatch.setattr(
        compress.PieceWriter, "copy", lambda self, *a: (copied.append(self.path.name), copy(self, *a))[1]
    )
    bulk_loads: list[object] = []
    bulk = dumps._bulk_store
    monkeypatch.setattr(dumps, "_bulk_store", lambda *a: (bulk_loads.append(a), bulk(*a)))
    root = copy_project(tmp_path / "project")
    settings = Settings(root=root, out=root / "dist")
    build(settings)
    summit = next((root / "data" / "declarations").glob("*sofia*"))
    for i, code_change in enumerate([False, True]):
        summit.write_text(summit.read_text(encoding="utf-8").replace("title: ", f"title: Revised {i} ", 1), "utf-8")
        if code_change:
            _flip(package / "publish" / "pieces.py")
            version._tree_hash.cache_clear()  # a new process
        copied.clear()
        bulk_loads.clear()
        cold = build(Settings(root=root, out=tmp_path / f"cold{i}", cache=False))
        assert len(bulk_loads) == 1
        release = build(settings)
        if code_change:
            assert copied == [] and len(bulk_loads) == 2  # nothing of the old code's release is reused
        else:
            assert {"b40.nq", "b40.trig"} <= set(copied) and len(bulk_loads) == 1  # same code: reused
        for name in ("b40.nq", "b40.trig", "b40.ttl", "b40.nt", "b40.jsonld"):
            assert (release.path / name).read_bytes() == (cold.path / name).read_bytes(), name
