"""Rendered documents are cached per dataset version: repeated requests are served from memory, and a new
release is never answered from the old one's cache."""

from __future__ import annotations

import time

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from b40graph.build import build
from b40graph.settings import Settings
from b40graph.store import EmbeddedBackend
from b40graph.web.app import create_app
from b40graph.web.doccache import DocumentCache

from .conftest import BASE, copy_project

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


def test_documents_follow_a_new_release(tmp_path):
    root = copy_project(tmp_path)
    settings = Settings(root=root, out=tmp_path / "dist", query_workers=1)
    build(settings)
    backend = EmbeddedBackend(settings)
    try:
        app = create_app(settings, backend)
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
    finally:
        backend.close()
