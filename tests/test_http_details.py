"""HTTP details (issue 12): downloads answer Range/If-Range (206, 416), honour `gzip;q=0`, and give the gzip
and the plain body ETags of their own; every answer has one coherent Cache-Control; pages and SPARQL results
are gzipped when asked; a download's ETag and bytes come from one release even while a rebuild lands."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import subprocess
import sys
import threading
import time

import pytest
import requests

from .conftest import copy_project, running_server

DUMP = "/download/b40.nq"
DOC = "/doc/network/b40"
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture()
def whole(client):
    r = client.get(DUMP)
    assert r.status_code == 200 and "Content-Encoding" not in r.headers and len(r.data) > 10_000
    return r


# -- Range and If-Range ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", -50, None), ("BYTES = 10-19", 10, 19)],
)
def test_a_range_is_answered_206_with_those_bytes(client, whole, spec, first, last):
    data, size = whole.data, len(whole.data)
    r = client.get(DUMP, headers={"Range": spec})
    assert r.status_code == 206
    start = first % size
    end = size - 1 if last is None else last
    assert r.data == data[start : end + 1]
    assert r.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert int(r.headers["Content-Length"]) == end - start + 1
    assert r.headers["ETag"] == whole.headers["ETag"] and r.headers["Accept-Ranges"] == "bytes"


def test_if_range_with_the_current_validator_resumes_and_with_an_old_one_sends_everything(client, whole):
    etag, date = whole.headers["ETag"], whole.headers["Last-Modified"]
    assert client.get(DUMP, headers={"Range": "bytes=5-9", "If-Range": etag}).data == whole.data[5:10]
    assert client.get(DUMP, headers={"Range": "bytes=5-9", "If-Range": date}).status_code == 206
    for stale in ('"an-older-release-b40.nq"', "W/" + etag, "Thu, 01 Jan 1970 00:00:00 GMT"):
        r = client.get(DUMP, headers={"Range": "bytes=5-9", "If-Range": stale})
        assert r.status_code == 200 and r.data == whole.data, stale


def test_unsatisfiable_ranges_are_416_with_the_length(client, whole):
    size = len(whole.data)
    for spec in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0", f"bytes={size}-,{size + 1}-"):
        r = client.get(DUMP, headers={"Range": spec})
        assert r.status_code == 416, spec
        assert r.headers["Content-Range"] == f"bytes */{size}" and r.headers["Cache-Control"] == "no-store"


def test_invalid_or_foreign_ranges_are_ignored_and_several_parts_merge_or_send_everything(client, whole):
    for spec in ("bytes=9-5", "bytes=a-b", "items=0-5", "bytes=", "bytes=1-2-3", "bytes=0-1," * 200):
        r = client.get(DUMP, headers={"Range": spec})
        assert r.status_code == 200 and r.data == whole.data, spec[:40]
    merged = client.get(DUMP, headers={"Range": "bytes=0-9, 5-19, 20-29"})  # overlapping and adjacent: one part
    assert merged.status_code == 206 and merged.data == whole.data[:30]
    apart = client.get(DUMP, headers={"Range": "bytes=0-9, 100-109"})  # two parts: the whole file
    assert apart.status_code == 200 and apart.data == whole.data


def test_head_ignores_range_and_conditionals_come_first(client, whole):
    head = client.head(DUMP, headers={"Range": "bytes=0-9"})
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == str(len(whole.data))
    r = client.get(DUMP, headers={"Range": "bytes=0-9", "If-None-Match": whole.headers["ETag"]})
    assert r.status_code == 304 and r.data == b""


def test_a_graph_download_answers_ranges_too(client):
    url = "/download/graph/reference.ttl"
    full = client.get(url)
    assert full.status_code == 200 and full.headers["Accept-Ranges"] == "bytes"
    part = client.get(url, headers={"Range": "bytes=10-29", "If-Range": full.headers["ETag"]})
    assert part.status_code == 206 and part.data == full.data[10:30]
    assert part.headers["Content-Range"] == f"bytes 10-29/{len(full.data)}"
    assert client.get(url, headers={"Range": f"bytes={len(full.data)}-"}).status_code == 416


# -- gzip ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("refusal", ["gzip;q=0", "gzip; q=0.000, identity", "*;q=0", "br, deflate", "identity"])
def test_a_download_is_plain_unless_gzip_is_accepted(client, whole, refusal):
    r = client.get(DUMP, headers={"Accept-Encoding": refusal})
    assert r.status_code == 200 and "Content-Encoding" not in r.headers and r.data == whole.data
    assert r.headers["ETag"] == whole.headers["ETag"]


@pytest.mark.parametrize("accept", ["gzip", "deflate, gzip;q=0.5", "*", "x-gzip"])
def test_the_gzip_download_has_its_own_etag(client, whole, accept):
    r = client.get(DUMP, headers={"Accept-Encoding": accept})
    assert r.headers["Content-Encoding"] == "gzip" and gzip.decompress(r.data) == whole.data
    assert r.headers["ETag"] != whole.headers["ETag"]
    assert "Accept-Encoding" in r.headers["Vary"] and "Accept-Encoding" in whole.headers["Vary"]
    # each ETag validates its own body only
    for etag, status in ((r.headers["ETag"], 304), (whole.headers["ETag"], 200)):
        assert client.get(DUMP, headers={"Accept-Encoding": accept, "If-None-Match": etag}).status_code == status


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        (DOC, {"Accept": "text/html"}),
        (DOC, {"Accept": "text/turtle"}),
        (DOC + ".jsonld", {}),
        ("/", {}),
        ("/sparql?query=SELECT+*+WHERE+%7B%3Fs+%3Fp+%3Fo%7D+LIMIT+200", {"Accept": "application/sparql-results+json"}),
    ],
)
def test_pages_and_results_are_gzipped_when_asked(client, url, headers):
    plain = client.get(url, headers=headers)
    packed = client.get(url, headers={**headers, **GZIP})
    assert plain.status_code == packed.status_code == 200 and len(plain.data) > 1024
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in plain.headers["Vary"] and "Accept-Encoding" in packed.headers["Vary"]
    again = client.get(url, headers={**headers, **GZIP, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    head = client.head(url, headers={**headers, **GZIP})
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Encoding"] == "gzip"
    refused = client.get(url, headers={**headers, "Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data


def test_posted_results_are_gzipped_and_small_bodies_are_not(client):
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 200"
    body = {"query": query}
    plain = client.post("/sparql", data=body, headers={"Accept": "text/csv"})
    packed = client.post("/sparql", data=body, headers={"Accept": "text/csv", **GZIP})
    assert packed.headers["Content-Encoding"] == "gzip" and gzip.decompress(packed.data) == plain.data
    small = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "text/csv", **GZIP})
    assert small.status_code == 200 and len(small.data) < 1024 and "Content-Encoding" not in small.headers


# -- Cache-Control -----------------------------------------------------------------------------------------------
def _directives(value: str | None) -> dict[str, str]:
    out = {}
    for part in (value or "").split(","):
        key, _, arg = part.strip().partition("=")
        if key:
            out[key.lower()] = arg
    return out


@pytest.mark.parametrize(
    ("method", "url", "headers", "policy"),
    [
        ("GET", DOC, {"Accept": "text/html"}, {"public": "", "max-age": "60"}),
        ("GET", DOC + ".ttl", {}, {"public": "", "max-age": "60"}),
        ("GET", "/", {}, {"public": "", "max-age": "60"}),
        ("GET", DUMP, {}, {"public": "", "max-age": "60"}),
        ("GET", DUMP, GZIP, {"public": "", "max-age": "60"}),
        ("GET", DUMP + ".gz", {}, {"public": "", "max-age": "60"}),
        ("GET", "/download/graph/reference.ttl", {}, {"public": "", "max-age": "60"}),
        ("GET", "/sparql?query=ASK%7B%7D", {}, {"public": "", "max-age": "60"}),
        ("POST", "/sparql?query=ASK%7B%7D", {"Content-Type": "application/x-www-form-urlencoded"}, {"no-store": ""}),
        ("GET", "/doc/municipality/atlantis", {}, {"no-store": ""}),
        ("GET", DOC, {"Accept": "image/png"}, {"no-store": ""}),
        ("GET", "/sparql?query=SELEC", {}, {"no-store": ""}),
        ("GET", DUMP, {"Range": "bytes=999999999-"}, {"no-store": ""}),
    ],
)
def test_one_cache_policy_per_kind_of_answer(client, method, url, headers, policy):
    r = client.open(url, method=method, headers=headers)
    got = _directives(r.headers.get("Cache-Control"))
    assert got == policy, (r.status_code, r.headers.get("Cache-Control"))
    assert not ("no-cache" in got and "max-age" in got)


# -- against a real server: curl -C - resumes, and a rebuild never mixes releases --------------------------------
@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("http-details"))
    command = [sys.executable, "-m", "b40graph.cli", "build", "--root", str(root), "--no-progress"]
    assert subprocess.run(command, check=False, capture_output=True, timeout=300).returncode == 0
    return root


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_curl_resumes_an_interrupted_download(project, tmp_path):
    expected = (project / "dist/current/b40.nq").read_bytes()
    with running_server("--root", str(project), "--no-build") as url:
        target = tmp_path / "b40.nq"
        target.write_bytes(expected[: len(expected) // 3])  # what an interrupted download left
        curl = ["curl", "-sS", "-f", "-C", "-", "-o", str(target), url + DUMP]
        done = subprocess.run(curl, check=False, capture_output=True)
        assert done.returncode == 0, done.stderr
        assert target.read_bytes() == expected
        # the same with requests: ask for the rest only if the file is still the one started on
        plain = {"Accept-Encoding": "identity"}  # requests asks for gzip by default
        first = requests.get(url + DUMP, headers={**plain, "Range": "bytes=0-999"}, timeout=20)
        assert first.status_code == 206 and first.content == expected[:1000]
        rest = requests.get(
            url + DUMP, headers={**plain, "Range": "bytes=1000-", "If-Range": first.headers["ETag"]}, timeout=20
        )
        assert rest.status_code == 206 and first.content + rest.content == expected
        assert rest.headers["Content-Range"] == f"bytes 1000-{len(expected) - 1}/{len(expected)}"


@pytest.mark.slow
def test_each_download_is_one_release_while_a_rebuild_lands(project):
    """Downloads in a loop while two rebuilds publish new releases: every answer's bytes are those of the
    release its ETag names (read back from that release's folder)."""
    decl = project / "data/declarations/2021-11-30-b40-founding-declaration.md"
    answers: list[tuple[str, str, bytes]] = []
    stop = threading.Event()
    with running_server("--root", str(project), "--no-build") as url:

        def fetch() -> None:
            with requests.Session() as session:
                while not stop.is_set() and len(answers) < 20_000:
                    for encoding in ("identity", "gzip"):
                        r = session.get(url + DUMP, headers={"Accept-Encoding": encoding}, stream=True, timeout=30)
                        body = r.raw.read(decode_content=False)
                        answers.append((r.headers["ETag"], r.headers.get("Content-Encoding", ""), body))

        workers = [threading.Thread(target=fetch) for _ in range(3)]
        for worker in workers:
            worker.start()
        try:
            for n in range(2):
                text = decl.read_text(encoding="utf-8")
                decl.write_text(re.sub("fruitful +cooperation", "fruitful" + " " * (n + 2) + "cooperation", text))
                command = [sys.executable, "-m", "b40graph.cli", "build", "--root", str(project), "--no-progress"]
                assert subprocess.run(command, check=False, capture_output=True, timeout=300).returncode == 0
                time.sleep(1.5)  # downloads go on over the new release
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=60)
    releases = project / "dist/releases"
    digests: dict[tuple[str, str], str] = {}
    for folder in releases.iterdir():
        if not folder.name.startswith("."):
            for suffix in ("", ".gz"):
                path = folder / ("b40.nq" + suffix)
                digests[(folder.name, suffix)] = hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(digests) == 6  # three releases: the first and two rebuilds
    seen = set()
    for etag, encoding, body in answers:
        release = etag.strip('"').split("-b40.nq")[0]
        suffix = ".gz" if encoding == "gzip" else ""
        assert etag.strip('"') == f"{release}-b40.nq" + ("-gzip" if suffix else "")
        assert hashlib.sha256(body).hexdigest() == digests[(release, suffix)], (etag, len(body))
        seen.add(release)
    assert len(seen) >= 2, "the downloads never saw a new release"
