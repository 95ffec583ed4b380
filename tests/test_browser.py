"""A real browser (Debian's headless Chromium) on the running server: pages render, the query form works
without JavaScript, and the browser never fetches anything but the server itself (no CDN assets)."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from b40graph.web.examples import EXAMPLES

from .conftest import BASE, ROOT, running_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (scripts/setup --test installs it)"),
]


class Dom(HTMLParser):
    """The few things these tests look at in a rendered DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.cells = 0
        self.text: list[str] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script = attributes
            self.scripts.append((attributes, ""))
        if tag == "td":
            self.cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]


def render(url: str, tmp: Path) -> tuple[Dom, set[str]]:
    """Load `url` in headless Chromium; the DOM it built and every URL it requested (from its net log)."""
    netlog = tmp / f"net-{len(list(tmp.glob('net-*')))}.json"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={tmp / 'profile'}",
        f"--log-net-log={netlog}",
        "--virtual-time-budget=3000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = Dom()
    dom.feed(done.stdout)
    return dom, _requested(netlog)


def _requested(netlog: Path) -> set[str]:
    """URLs the pages asked for: requests whose initiator is a page (the browser's own update checks and
    the like have none)."""
    try:
        log = json.loads(netlog.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError:  # a net log cut off at exit lacks its closing brackets
        text = netlog.read_text(encoding="utf-8", errors="replace").rstrip().rstrip(",")
        log = json.loads(text + "]}")
    urls = set()
    for event in log.get("events", []):
        params = event.get("params") or {}
        url, initiator = params.get("url"), params.get("initiator")
        if isinstance(url, str) and isinstance(initiator, str) and initiator.startswith("http"):
            urls.add(url)
    return urls


@pytest.fixture(scope="module")
def server(built):
    settings, _ = built
    with running_server("--root", str(ROOT), "--out", str(settings.out_dir), "--no-build") as url:
        yield url


def _only_local(urls: set[str], server: str) -> None:
    host = urlsplit(server).netloc
    outside = {u for u in urls if urlsplit(u).netloc != host}
    assert not outside, f"the browser fetched from outside the server: {sorted(outside)}"


def test_declaration_page_renders_with_jsonld_and_no_outside_fetch(server, tmp_path):
    dom, urls = render(server + "/doc/declaration/2021-b40-founding-declaration", tmp_path)
    _only_local(urls, server)
    blocks = [json.loads(text) for attrs, text in dom.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    assert f"{BASE}id/declaration/2021-b40-founding-declaration" in json.dumps(blocks[0])
    assert not [a for a in dom.scripts if a[0].get("type") != "application/ld+json"], "no executable script"
    links = {a.get("href", "") for a in dom.all("a")}
    assert any(h.startswith("/doc/theme/") for h in links), "operative clauses link to their themes"
    assert any(h.startswith("/doc/person/") for h in links), "signatories are linked"
    alternates = {a.get("type") for a in dom.all("link") if a.get("rel") == "alternate"}
    assert {"text/turtle", "application/ld+json", "application/n-triples"} <= alternates


def test_query_form_works_without_javascript(server, tmp_path):
    # The pages carry no script and forbid it (CSP script-src 'none'), so what the browser shows is
    # what a browser without JavaScript shows. (--dump-dom itself needs scripting on in the browser.)
    head = requests.head(server + "/sparql", headers={"Accept": "text/html"}, timeout=10)
    assert "script-src 'none'" in head.headers["Content-Security-Policy"]
    page, urls = render(server + "/sparql", tmp_path)
    _only_local(urls, server)
    assert not [a for a, _ in page.scripts if a.get("type") != "application/ld+json"]
    forms = [{k: v for k, v in f.items() if k in ("method", "action")} for f in page.all("form")]
    assert forms == [{"method": "get", "action": "/search"}, {"method": "get", "action": "/sparql"}]  # header, page
    assert {a.get("name") for a in page.all("textarea")} == {"query"}
    # what the browser sends when the form is submitted: its fields as a GET query string
    label, query = next((lbl, q) for lbl, q in EXAMPLES if "signed" in lbl.lower())
    results, urls = render(f"{server}/sparql?{urlencode({'query': query, 'format': 'html'})}", tmp_path)
    _only_local(urls, server)
    assert len(results.all("tr")) >= 23, label  # a header row and at least the founding declaration's 22
    assert "İmamoğlu" in "".join(results.text) and "Maliqi" in "".join(results.text)


def test_home_page_links_every_declaration(server, tmp_path):
    dom, urls = render(server + "/", tmp_path)
    _only_local(urls, server)
    hrefs = {a.get("href") for a in dom.all("a")}
    assert {"/doc/declaration/2021-b40-founding-declaration", "/sparql", "/download/"} <= hrefs
    assert any(h and h.startswith("/doc/declaration/") and "2025" in h for h in hrefs)


CROSS_ORIGIN_PAGE = """<!doctype html><html><body><pre id="out">waiting</pre><script>
fetch(%(endpoint)s, {method: "POST", body: %(query)s,
  headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json",
            "Accept-Language": "en"}})
  .then(r => r.json().then(j => { document.getElementById("out").textContent = JSON.stringify(
      {status: r.status, error: r.headers.get("X-B40-Error"), body: j}); }))
  .catch(e => { document.getElementById("out").textContent = "failed: " + e; });
</script></body></html>"""


@pytest.mark.parametrize("query", ["ASK { ?s ?p ?o }", "SELECT * WHERE {"], ids=["ask", "syntax-error"])
def test_a_page_on_another_origin_posts_a_sparql_query(server, tmp_path, query):
    """What YASGUI does: fetch() a POST with an application/sparql-query body from another origin, which makes
    the browser send a CORS preflight first; the page then reads the JSON (and X-B40-Error on an error)."""
    import http.server
    import threading

    page = CROSS_ORIGIN_PAGE % {"endpoint": json.dumps(server + "/sparql"), "query": json.dumps(query)}

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)  # another port: another origin
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        dom, urls = render(f"http://127.0.0.1:{other.server_address[1]}/", tmp_path)
    finally:
        other.shutdown()
        other.server_close()
    assert server + "/sparql" in urls
    text = "".join(dom.text).strip()
    assert text.startswith("{"), text
    answer = json.loads(text)
    if query.startswith("ASK"):
        assert answer == {"status": 200, "error": None, "body": {"head": {}, "boolean": True}}
    else:
        assert answer["status"] == 400 and answer["error"] == answer["body"]["error"] and answer["error"]
