"""CORS: a page on another origin may query the endpoint (preflight answered fully) and read the headers
b40graph sends for scripts (X-B40-Error, ETag, Link, ...)."""

from __future__ import annotations

import json

import pytest
import requests

from .conftest import ROOT, running_server

PREFLIGHT = {
    "Origin": "http://127.0.0.1:9",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, accept, accept-language",
}


def _list(value: str | None) -> set[str]:
    return {v.strip().lower() for v in (value or "").split(",") if v.strip()}


def _check_preflight(status: int, headers, *, post: bool) -> None:  # type: ignore[no-untyped-def]
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    methods = _list(headers.get("Access-Control-Allow-Methods"))
    assert {"get", "head", "options"} <= methods and (("post" in methods) == post)
    assert {"content-type", "accept", "accept-language"} <= _list(headers.get("Access-Control-Allow-Headers"))
    assert int(headers["Access-Control-Max-Age"]) > 0
    assert _list(headers.get("Allow")) == methods


def test_preflight_of_a_sparql_post(client):
    r = client.options("/sparql", headers=PREFLIGHT)
    _check_preflight(r.status_code, r.headers, post=True)
    assert r.data == b""


@pytest.mark.parametrize("route", ["/", "/doc/network/b40", "/download/", "/ontology"])
def test_preflight_of_a_page_allows_no_post(client, route):
    r = client.options(route, headers={**PREFLIGHT, "Access-Control-Request-Method": "GET"})
    _check_preflight(r.status_code, r.headers, post=False)


def test_preflight_of_an_unknown_path_is_404(client):
    assert client.options("/no/such/page", headers=PREFLIGHT).status_code == 404


def test_scripts_may_read_the_error_and_caching_headers(client):
    bad = client.post("/sparql", data="SELECT WHERE {", content_type="application/sparql-query")
    assert bad.status_code == 400 and bad.headers["X-B40-Error"]
    exposed = _list(bad.headers.get("Access-Control-Expose-Headers"))
    assert {"x-b40-error", "etag", "link", "location", "content-language", "vary"} <= exposed
    ok = client.get("/doc/network/b40", headers={"Accept": "text/turtle"})
    assert ok.headers["ETag"] and "etag" in _list(ok.headers.get("Access-Control-Expose-Headers"))


@pytest.mark.slow
def test_preflight_and_post_over_http(built):
    settings, _ = built
    with running_server("--root", str(ROOT), "--out", str(settings.out_dir), "--no-build") as url:
        r = requests.options(url + "/sparql", headers=PREFLIGHT, timeout=10)
        _check_preflight(r.status_code, r.headers, post=True)
        answer = requests.post(
            url + "/sparql",
            data="ASK { ?s ?p ?o }",
            headers={
                "Origin": PREFLIGHT["Origin"],
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json",
            },
            timeout=10,
        )
        assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
        assert json.loads(answer.content)["boolean"] is True
