"""Rendered documents are cached per dataset version: repeated requests are served from memory, and a new
release is never answered from the old one's cache."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS

from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.store.backend import LabelMemo
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app
from b40graph.web.doccache import DocumentCache

from .conftest import BASE, copy_project, replace_in

DECL = "data/declarations/2025-02-24-b40-sofia-summit-declaration.md"


def test_cache_is_bounded_by_bytes_and_keeps_recent_documents():
    cache = DocumentCache(max_bytes=800)
    made = []

    def maker(key: str, size: int):  # type: ignore[no-untyped-def]
        return lambda: made.append(key) or key.encode() * size

    assert cache.get_or_make("a", maker("a", 100)) == b"a" * 100
    assert cache.get_or_make("a", maker("a", 100)) == b"a" * 100 and made == ["a"]
    cache.get_or_make("b", maker("b", 100))
    for key in "cdefghij":  # ten documents of 100 bytes into 800
        cache.get_or_make(key, maker(key, 100))
        cache.get_or_make("a", maker("a", 100))  # kept in use, so kept
    assert cache.size <= 800 and made.count("a") == 1 and "b" not in cache._items
    cache.get_or_make("huge", maker("huge", 1000))  # larger than an eighth of the cache: served, not kept
    assert "huge" not in cache._items


@pytest.fixture()
def served(tmp_path):  # type: ignore[no-untyped-def]
    """A built copy of the project and an app over it; the test may edit, rebuild and ask again."""
    root = copy_project(tmp_path)
    settings = Settings(root=root, out=tmp_path / "dist", query_workers=1)
    build(settings)
    backend = EmbeddedBackend(settings)
    yield root, settings, create_app(settings, backend)
    backend.close()


def test_documents_follow_a_new_release(served):
    root, settings, app = served
    client, cache = app.test_client(), app.config["B40_DOC_CACHE"]
    path, iri = (
        "/doc/declaration/2025-b40-sofia-summit-declaration",
        URIRef(BASE + "id/declaration/2025-b40-sofia-summit-declaration"),
    )
    first = client.get(path, headers={"Accept": "text/turtle"})
    again = client.get(path, headers={"Accept": "text/turtle"})
    assert first.status_code == again.status_code == 200 and first.data == again.data and cache.hits == 1
    client.get(path, headers={"Accept": "text/html", "Accept-Language": "en"})
    client.get(path, headers={"Accept": "text/html", "Accept-Language": "tr"})
    assert cache.misses == 3  # another format, another reader language: documents of their own
    title = (root / DECL).read_text(encoding="utf-8")
    (root / DECL).write_text(title.replace("title: ", "title: Renamed ", 1), encoding="utf-8")
    build(settings)
    time.sleep(0.6)  # the embedded backend looks for a new release twice a second
    after = client.get(path, headers={"Accept": "text/turtle"})
    titles = set(Graph().parse(data=after.data, format="turtle").objects(iri, DCTERMS.title))
    assert any(str(t).startswith("Renamed ") for t in titles), titles
    assert after.headers["ETag"] != first.headers["ETag"]


def test_label_memo_is_per_version_and_bounded():
    memo = LabelMemo(limit=3)
    reads: list[list[str]] = []
    store = {"a": [ox.Literal("A")], "b": [ox.Literal("B")]}

    def fetch(iris: list[str]) -> dict[str, list[ox.Literal]]:
        reads.append(list(iris))
        return {i: store[i] for i in iris if i in store}

    assert memo.lookup("v1", ["a", "x"], fetch) == {"a": [ox.Literal("A")]}
    assert memo.lookup("v1", ["a", "x", "b"], fetch) == {"a": [ox.Literal("A")], "b": [ox.Literal("B")]}
    assert reads == [["a", "x"], ["b"]]  # a label, and the lack of one, are looked up once per version
    store["a"] = [ox.Literal("A2")]
    assert memo.lookup("v2", ["a"], fetch) == {"a": [ox.Literal("A2")]}  # a new version reads afresh
    memo.lookup("v2", ["c", "d", "e"], fetch)
    assert len(memo._items) <= 3


def test_labels_of_linked_things_follow_a_new_release(served):
    root, settings, app = served
    client = app.test_client()
    path = "/doc/municipality/sarajevo"  # a member: its page links to the network, with its label
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert ">B40 Balkan Cities Network</a>" in html
    network = root / "data/network.ttl"
    replace_in(network, '"B40 Balkan Cities Network"@en ;', '"The Renamed Network"@en ;')
    build(settings)
    time.sleep(0.6)  # the embedded backend looks for a new release twice a second
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert ">The Renamed Network</a>" in html and ">B40 Balkan Cities Network</a>" not in html
    ttl = client.get(path, headers={"Accept": "text/turtle"})
    labels = set(Graph().parse(data=ttl.data, format="turtle").objects(URIRef(BASE + "id/network/b40"), RDFS.label))
    assert {str(x) for x in labels} == {"The Renamed Network"}
