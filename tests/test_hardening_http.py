"""Hostile HTTP: Accept headers, unknown formats, path traversal, odd Unicode, long URLs, methods, conditionals.

Never a 500, never a file from outside the release, always a status with a message.
"""

from __future__ import annotations

import socket

import pytest
import requests

from .conftest import ROOT, running_server

RESOURCE = "/doc/municipality/prishtina"
ROUTES = [
    "/",
    RESOURCE,
    "/id/municipality/prishtina",
    "/graph/reference",
    "/ontology",
    "/sparql",
    "/sparql?query=ASK%7B%7D",
    "/.well-known/void",
    "/download/",
    "/download/b40.ttl",
    "/download/graph/reference.ttl",
    "/sitemap.xml",
    "/no/such/page",
]
SECRET = "b40-secret-outside-the-release-7f3a"


def _sane(r, *allowed: int) -> None:
    assert r.status_code != 500 and r.status_code in allowed, (r.status_code, r.data[:200])
    if r.status_code >= 400:
        assert r.headers.get("X-B40-Error") or r.status_code == 404, r.headers
    assert SECRET.encode() not in r.data


# -- Accept ----------------------------------------------------------------------------------------------------
ACCEPTS = {
    "100KB": "text/turtle," + "x" * 100_000,
    "1000-ranges": ", ".join(f"application/x-{i};q=0.{i % 10}" for i in range(1000)),
    "q-NaN": "text/turtle;q=NaN",
    "q-nan-inf": "text/turtle;q=nan, text/html;q=inf, */*;q=-1",
    "q-huge": "text/turtle;q=1e999",
    "q-garbage": "text/turtle;q=abc;q=;q",
    "q-many": "text/turtle" + ";q=0.5" * 500,
    "empty-ranges": ";;;,,,/,,;q=1,",
    "wildcard-subtype-first": "*/turtle",
    "control-chars": "\x01\x02text/turtle\x7f",
    "unicode": "ünïcode/ẞ, text/turtle;q=0.1",
    "params": 'text/turtle;charset=utf-8;level=1;profile="x,y"',
    "quoted-comma": 'text/html;p="a,text/turtle"',
    "only-commas": "," * 3000,
    "spaces": " " * 4000,
    "no-slash": "turtle",
    "image": "image/png",
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", list(ACCEPTS))
def test_hostile_accept_headers(client, route, name):
    r = client.get(route, headers={"Accept": ACCEPTS[name]})
    _sane(r, 200, 303, 400, 404, 406)


def test_406_names_what_is_offered(client):
    r = client.get(RESOURCE, headers={"Accept": "image/png"})
    assert r.status_code == 406 and b"text/turtle" in r.data and "format=" in r.headers["Link"]


# -- unknown formats ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        RESOURCE + "?format=xyz",
        RESOURCE + "?format=" + "x" * 5000,
        RESOURCE + "?format=%00",
        RESOURCE + ".xyz",
        RESOURCE + ".TTL.gz",
        "/ontology.xyz",
        "/.well-known/void.xyz",
        "/.well-known/void?format=xyz",
        "/download/graph/reference.xyz",
        "/download/b40.xyz",
        "/graph/reference?format=csv",
    ],
)
def test_unknown_formats(client, url):
    _sane(client.get(url), 400, 404, 406)


@pytest.mark.parametrize("fmt", ["xyz", "ttl", "x" * 5000, "%00"])
def test_sparql_format_naming_nothing_offered_falls_back_to_accept(client, fmt):
    r = client.get("/sparql?query=ASK%7B%7D&format=" + fmt, headers={"Accept": "application/sparql-results+xml"})
    _sane(r, 200)
    assert r.mimetype == "application/sparql-results+xml"


def test_empty_format_is_ignored(client):
    assert client.get(RESOURCE + "?format=", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"


# -- path traversal -----------------------------------------------------------------------------------------------
TRAVERSAL = [
    "/download/../../../../etc/passwd",
    "/download/..%2F..%2F..%2Fetc%2Fpasswd",
    "/download/%2e%2e/%2e%2e/SECRET.txt",
    "/download/..%2fSECRET.txt",
    "/download/..%2F..%2FSECRET.txt",
    "/download/%2e%2e%2fSECRET.txt",
    "/download/..%5cSECRET.txt",
    "/download/..\\..\\SECRET.txt",
    "/download/.%2e/SECRET.txt",
    "/download/b40.ttl%00",
    "/download/b40.ttl%00.gz",
    "/download/release.json%00../../SECRET.txt",
    "/download/%252e%252e%252fSECRET.txt",
    "/download/store/CURRENT",
    "/download/store",
    "/download/.",
    "/download/..",
    "/download/graph/../../SECRET.txt",
    "/download/graph/..%2F..%2FSECRET.ttl",
    "/download/graph/%2e%2e/%2e%2e/etc/passwd.ttl",
    "/doc/../../../etc/passwd",
    "/doc/%2e%2e/%2e%2e/etc/passwd",
    "/doc/municipality%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/doc/municipality/..%2f..%2fSECRET.txt",
    "/doc/municipality/prishtina%00.ttl",
    "/doc/municipality/prishtina%00",
    "/doc/..%5c..%5cSECRET",
    "/id/..%2F..%2Fetc%2Fpasswd",
    "/id/municipality/%2e%2e",
    "/id/./municipality/prishtina",
    "/graph/..%2F..%2FSECRET",
    "/graph/%00",
    "/ontology.%2e%2e%2fSECRET",
    "/.well-known/void.%00",
    "/.well-known/..%2F..%2FSECRET.txt",
    "//etc/passwd",
    "/download//etc/passwd",
]


@pytest.fixture(scope="module")
def secrets(built):
    """Files beside and above the release that no URL may ever serve."""
    out = built[1].path.parent.parent
    made = []
    for folder in (out, out / "releases", out.parent):
        path = folder / "SECRET.txt"
        path.write_text(SECRET + "\n", encoding="utf-8")
        made.append(path)
    yield made
    for path in made:
        path.unlink(missing_ok=True)


@pytest.mark.parametrize("url", TRAVERSAL)
def test_path_traversal_serves_nothing_outside_the_release(client, secrets, url):
    r = client.get(url)
    _sane(r, 301, 308, 400, 404, 405, 406)
    assert b"root:" not in r.data


@pytest.mark.parametrize(
    "url",
    [
        "/download/graph/%00.ttl",
        "/download/graph/a%20b.ttl",
        "/download/graph/%3C%3E.ttl",
        "/download/graph/..%5c..%5cSECRET.ttl",
        "/download/graph/%ED%A0%80.ttl",
        "/download/graph/%FF%FE.ttl",
    ],
)
def test_download_graph_with_invalid_iri_characters(client, url):
    _sane(client.get(url), 400, 404)


# -- odd Unicode in IRIs ----------------------------------------------------------------------------------------
ODD = {
    "rtl-override": "\u202eanitshirp",
    "rtl-mark": "prish\u200ftina",
    "combining": "pri\u0301shtina",
    "zero-width": "prish\u200btina",
    "emoji": "😀",
    "emoji-encoded": "%F0%9F%98%80",
    "surrogate-encoded": "%ED%A0%80",
    "surrogate-escaped": "%5CuD800",
    "overlong-slash": "%C0%AF",
    "bad-utf8": "%FF%FE",
    "nfd-vs-nfc": "constan\u0163a".replace("\u0163", "t\u0327"),
    "fullwidth-dots": "\uff0e\uff0e/\uff0e\uff0e/etc",
    "bom": "\ufeffprishtina",
    "html": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "quote": "%22onmouseover%3D%22x",
}


@pytest.mark.parametrize("prefix", ["/doc/municipality/", "/id/municipality/", "/graph/", "/download/graph/"])
@pytest.mark.parametrize("name", list(ODD))
def test_odd_unicode_iris(client, prefix, name):
    url = prefix + ODD[name] + (".ttl" if prefix == "/download/graph/" else "")
    r = client.get(url, headers={"Accept": "text/html"})
    _sane(r, 404, 400)
    assert b"<script>" not in r.data and b'"onmouseover' not in r.data


# -- very long URLs --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [8 * 1024, 64 * 1024])
@pytest.mark.parametrize("prefix", ["/doc/", "/id/", "/graph/", "/download/", "/download/graph/", "/doc/a/"])
def test_very_long_paths(client, prefix, size):
    _sane(client.get(prefix + "a" * size), 404, 414)


@pytest.mark.parametrize("size", [8 * 1024, 64 * 1024])
def test_very_long_query_strings(client, size):
    _sane(client.get(RESOURCE + "?x=" + "a" * size), 200)
    _sane(client.get("/sparql?query=" + "a" * size), 400, 413)
    _sane(client.get(RESOURCE + "?page=" + "9" * size), 400)


@pytest.mark.parametrize("page", ["-1", "0", "1e9", "99999999999999999999", "nan", "", "１"])
def test_page_parameter(client, page):
    _sane(client.get(RESOURCE + "?page=" + page), 200, 400)


# -- methods -------------------------------------------------------------------------------------------------------
METHODS = ["PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND", "MKCOL", "LOCK", "FOO"]


@pytest.mark.parametrize("route", [r for r in ROUTES if r != "/no/such/page"])
@pytest.mark.parametrize("method", METHODS)
def test_other_methods_are_405_with_allow(client, route, method):
    r = client.open(route, method=method)
    _sane(r, 405)
    allowed = {m.strip() for m in r.headers["Allow"].split(",")}
    assert {"GET", "HEAD", "OPTIONS"} <= allowed and method not in allowed


def test_allow_lists_only_what_the_route_accepts(client):
    assert "POST" not in client.open(RESOURCE, method="PUT").headers["Allow"]
    assert "POST" in client.open("/sparql", method="PUT").headers["Allow"]
    r = client.post(RESOURCE)
    assert r.status_code == 405 and "POST" not in r.headers["Allow"]


@pytest.mark.parametrize("route", ["/", RESOURCE, "/sparql", "/download/b40.ttl"])
def test_options_and_head(client, route):
    r = client.options(route)
    assert r.status_code == 204 and "GET" in r.headers["Allow"] and r.data == b""
    head = client.head(route)
    assert head.status_code == 200 and head.data == b""


# -- conditional headers with garbage --------------------------------------------------------------------------------
GARBAGE = [
    {"If-None-Match": "\x00"},
    {"If-None-Match": "}{"},
    {"If-None-Match": '"' * 5000},
    {"If-None-Match": "W/" * 1000},
    {"If-None-Match": ", , ,"},
    {"If-Modified-Since": "nope"},
    {"If-Modified-Since": "Mon, 99 Foo 2021 99:99:99 GMT"},
    {"If-Modified-Since": "9" * 1000},
    {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
    {"If-Modified-Since": "-1"},
    {"If-Unmodified-Since": "garbage"},
    {"If-Range": "garbage", "Range": "bytes=0-10"},
    {"Range": "bytes=garbage"},
    {"Range": "bytes=99999999999999999999-"},
]


@pytest.mark.parametrize("route", ["/", RESOURCE, "/sparql?query=ASK%7B%7D", "/download/b40.ttl", "/ontology"])
@pytest.mark.parametrize("headers", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_conditionals_are_ignored(client, route, headers):
    plain = client.get(route, headers={"Accept": "text/turtle" if route == RESOURCE else "*/*"})
    r = client.get(route, headers={"Accept": "text/turtle" if route == RESOURCE else "*/*", **headers})
    if route.startswith("/download/") and headers.get("Range") == "bytes=99999999999999999999-":
        # a well-formed range past the end of a file: unsatisfiable (RFC 9110 §15.5.17), not garbage
        _sane(r, 416)
        assert r.headers["Content-Range"] == f"bytes */{len(plain.data)}"
        return
    _sane(r, 200, 206)
    if r.status_code == 200:
        assert r.data == plain.data


def test_real_validators_still_work(client):
    r = client.get(RESOURCE, headers={"Accept": "text/turtle"})
    assert (
        client.get(RESOURCE, headers={"Accept": "text/turtle", "If-None-Match": r.headers["ETag"]}).status_code == 304
    )


def test_html_errors_escape_the_request(client):
    r = client.get("/doc/municipality/%3Cscript%3E", headers={"Accept": "text/html"})
    assert r.status_code == 404 and b"<script>" not in r.data
    assert "script-src 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


# -- the same over real HTTP (waitress in front) ---------------------------------------------------------------
@pytest.fixture(scope="module")
def server(built):
    with running_server("--root", str(ROOT), "--out", str(built[1].path.parent.parent), "--no-build") as url:
        yield url


def _raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
        except TimeoutError:
            pass
    return b"".join(chunks)


@pytest.mark.slow
@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /doc/municipality/prishtina HTTP/1.1\r\nHost: x\r\nAccept: "
        + b"x" * 100_000
        + b"\r\nConnection: close\r\n\r\n",
        b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /download/..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /download/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /doc/municipality/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /sparql?query=\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\nConnection: close\r\n\r\n",
        b"TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET http://127.0.0.1:1/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 99999999999\r\n"
        b"Connection: close\r\n\r\nASK {}",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\nzz\r\n",
    ],
    ids=range(13),
)
def test_raw_hostile_requests_over_http(server, request_bytes):
    answer = _raw(server, request_bytes)
    status_line = answer.split(b"\r\n", 1)[0]
    assert not status_line.startswith(b"HTTP/1.1 5") or status_line.startswith(b"HTTP/1.1 503"), answer[:300]
    assert b"root:" not in answer
    # The server is still there and still right.
    ok = requests.get(server + "/doc/municipality/prishtina", headers={"Accept": "text/turtle"}, timeout=10)
    assert ok.status_code == 200 and b"Prishtina" in ok.content


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS[:-3] + ["FOO"])
def test_methods_over_http(server, method):
    if method == "CONNECT":
        pytest.skip("requests cannot send CONNECT to an origin; covered by the raw request test")
    r = requests.request(method, server + "/sparql", timeout=10)
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and method not in r.headers["Allow"]
