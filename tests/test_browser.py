"""A real browser (Debian's headless Chromium) on the running server: pages render, the query form works
without JavaScript, and the browser never fetches anything but the server itself (no CDN assets).

Two ways of driving Chromium: `--dump-dom` (the DOM after loading, and a net log), and the DevTools protocol
over a pipe (`--remote-debugging-pipe`: JSON messages on file descriptors 3 and 4, no extra package) for the
checks at phone and desktop widths: no horizontal overflow, no request leaving the server, no console error,
no serious or critical axe-core violation (axe-core from npm, vendored in tests/assets/axe-core by
scripts/vendor-assets), and a screenshot of each page into docs/screenshots/."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

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


class Devtools:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4 of the browser)."""

    def __init__(self, profile: Path) -> None:
        to_browser, self._in = os.pipe()
        self._out, from_browser = os.pipe()

        def fds() -> None:  # in the child: the browser reads commands on fd 3, writes answers on fd 4
            os.dup2(to_browser, 3, inheritable=True)
            os.dup2(from_browser, 4, inheritable=True)

        command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--no-first-run", "--no-default-browser-check", "--hide-scrollbars", "--mute-audio",
                   f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]  # fmt: skip
        self.proc = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=fds,  # noqa: PLW1509
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []

    def send(self, method: str, session: str | None = None, timeout: float = 60, **params: object) -> dict:
        self._id += 1
        message: dict[str, object] = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._in, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline - time.monotonic())
            assert reply is not None, f"no answer to {method}"
            if reply.get("id") == self._id:
                assert "error" not in reply, (method, reply["error"])
                return reply.get("result", {})
            self.events.append(reply)

    def _next(self, timeout: float) -> dict | None:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._out], [], [], max(0.0, timeout))
            if not ready:
                return None
            chunk = os.read(self._out, 1 << 20)
            assert chunk, "the browser closed its pipe"
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)  # type: ignore[no-any-return]

    def wait(self, seconds: float) -> None:
        """Collect events for `seconds`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            event = self._next(left)
            if event is not None:
                self.events.append(event)

    def load(self, url: str, width: int, scripts: bool = True) -> Tab:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable", session)
        height = 844 if width < 600 else 900
        self.send("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                  deviceScaleFactor=1, mobile=width < 600)  # fmt: skip
        if not scripts:
            self.send("Emulation.setScriptExecutionDisabled", session, value=True)
        tab = Tab(self, target, session)
        tab.go(url)
        return tab

    def submit(self, tab: Tab, script: str) -> Tab:
        tab.go_by(script)
        return tab

    def close(self) -> None:
        with contextlib.suppress(AssertionError, OSError):
            self.send("Browser.close", timeout=10)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._in, self._out):
            os.close(fd)


class Tab:
    """One page open in the browser, with what it requested and logged since it was opened."""

    def __init__(self, browser: Devtools, target: str, session: str) -> None:
        self.browser, self.target, self.session = browser, target, session
        self.url = ""
        self._from = len(browser.events)

    def mine(self) -> list[dict]:
        return [e for e in self.browser.events[self._from :] if e.get("sessionId") == self.session]

    def go(self, url: str) -> None:
        self.go_by(None, url)

    def ctrl_enter(self) -> None:
        """Ctrl-Enter typed into the focused element."""
        key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "modifiers": 2}
        self.browser.send("Input.dispatchKeyEvent", self.session, type="rawKeyDown", **key)
        self.browser.send("Input.dispatchKeyEvent", self.session, type="keyUp", **key)

    def go_by(self, script: str | None, url: str | None = None, keys: bool = False) -> None:
        """Navigate to `url`, or run `script`, or type Ctrl-Enter (`keys`), and wait for the next page."""
        loads = sum(1 for e in self.mine() if e.get("method") == "Page.loadEventFired")
        if url is not None:
            self.browser.send("Page.navigate", self.session, url=url)
        elif keys:
            self.ctrl_enter()
        else:
            self.run(script or "")
        deadline = time.monotonic() + 60
        while sum(1 for e in self.mine() if e.get("method") == "Page.loadEventFired") == loads:
            assert time.monotonic() < deadline, f"{url or script} did not load"
            self.browser.wait(0.1)
        self._settle()
        self.url = self.value("location.href")

    def _settle(self, quiet: float = 0.6, most: float = 15) -> None:
        """Wait until no request has started for `quiet` seconds (the editor's deferred scripts and fetches)."""
        deadline = time.monotonic() + most
        while time.monotonic() < deadline:
            before = len(self.requests())
            self.browser.wait(quiet)
            if len(self.requests()) == before:
                return

    def run(self, expression: str, wait: bool = False) -> dict:
        answer = self.browser.send("Runtime.evaluate", self.session, expression=expression, awaitPromise=wait,
                                   returnByValue=True, timeout=120)  # fmt: skip
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"]  # type: ignore[no-any-return]

    def value(self, expression: str, wait: bool = False) -> object:
        return self.run(expression, wait).get("value")

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.mine() if e.get("method") == "Network.requestWillBeSent"]

    def outside(self, server: str) -> list[str]:
        host = urlsplit(server).netloc
        return [u for u in self.requests() if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != host]

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser-logged errors (CSP violations, failed loads)."""
        found = []
        for e in self.mine():
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append("exception: " + str(details.get("exception", {}).get("description", details["text"])))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
        return found

    def screenshot(self, path: Path) -> None:
        data = self.browser.send("Page.captureScreenshot", self.session, format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        self.browser.send("Target.closeTarget", targetId=self.target)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    devtools = Devtools(tmp_path_factory.mktemp("chromium"))
    yield devtools
    devtools.close()


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


def test_query_form_works_without_javascript(browser, server):
    """With scripts off the query page is the plain form; submitted, it answers with the table."""
    page = browser.load(server + "/sparql", 1280, scripts=False)
    assert page.value("document.querySelectorAll('.CodeMirror').length") == 0  # no editor without scripts
    forms = page.value("[...document.forms].map(f => [f.method, f.getAttribute('action')])")
    assert forms == [["get", "/search"], ["get", "/sparql"]]  # the header's search, the query form
    assert page.value("[...document.querySelectorAll('textarea')].map(t => t.name)") == ["query"]
    # what the browser sends when the form is submitted: its fields as a GET query string
    label, query = next((lbl, q) for lbl, q in EXAMPLES if "signed" in lbl.lower())
    page.run(f"document.getElementById('query').value = {json.dumps(query)}")
    page = browser.submit(page, "document.getElementById('query-form').submit()")
    assert page.url.startswith(server + "/sparql?query=") and "format=html" in page.url
    assert page.value("document.querySelectorAll('main table tr').length") >= 23, label  # header + 22 signatures
    text = page.value("document.body.innerText")
    assert "İmamoğlu" in text and "Maliqi" in text
    assert not page.outside(server)


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


AXE = ROOT / "tests/assets/axe-core/axe.min.js"
SCREENSHOTS = ROOT / "docs/screenshots"
#: The pages people land on, by name (the screenshot's file name): path.
PAGES = {
    "home": "/",
    "declaration": "/doc/declaration/2021-b40-founding-declaration",
    "municipality": "/doc/municipality/athens",
    "person": "/doc/person/kostas-bakoyannis",
    "search": "/search?q=Canakkale",
    "overview": "/overview/",
    "overview-map": "/overview/map",
    "query-editor": "/sparql",
    "query-results": "/sparql?"
    + urlencode({"query": next(q for lbl, q in EXAMPLES if "bar chart" in lbl), "format": "html"}),
    "query-map": "/sparql?"
    + urlencode({"query": next(q for lbl, q in EXAMPLES if "(a map)" in lbl), "format": "html"}),
}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_stays_local_logs_no_error_and_passes_axe(browser, server, name, width):
    tab = browser.load(server + PAGES[name], width)
    try:
        assert tab.value("document.readyState") == "complete"
        overflow = tab.value("[document.documentElement.scrollWidth, window.innerWidth]")
        assert isinstance(overflow, list) and overflow[0] <= overflow[1], f"scrolls sideways at {width}px: {overflow}"
        assert not tab.outside(server), f"requests leaving the server: {tab.outside(server)}"
        assert not tab.errors(), tab.errors()
        tab.run(AXE.read_text(encoding="utf-8"))
        violations = tab.value(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.html)})))",
            wait=True,
        )
        assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(SCREENSHOTS / f"{name}-{width}.png")
        if name == "query-editor":  # the editor took over the textarea and asked this server for its prefixes
            assert tab.value("document.querySelectorAll('.yasqe .CodeMirror').length") == 1
            assert tab.value("document.getElementById('query').hidden") is True
            editor_text = tab.value("document.querySelector('.CodeMirror').CodeMirror.getValue()")
            assert editor_text == tab.value("document.getElementById('query').value") and "SELECT" in str(editor_text)
        if name == "query-results":
            assert tab.value("document.querySelectorAll('figure.chart rect').length") >= 2
        if name == "query-map":  # the members as dots on the overview map's outlines
            assert tab.value("document.querySelectorAll('figure.dots svg a circle').length") >= 10
            assert tab.value("document.querySelectorAll('figure.dots svg path').length") >= 10
        if name.startswith("overview"):  # the map drawn, its dots links into the pages
            dots = tab.value("[...document.querySelectorAll('svg.chart a circle')].length")
            assert isinstance(dots, int) and dots >= 10, dots
            assert tab.value("document.querySelector('nav.site a[aria-current]').getAttribute('href')") == "/overview/"
    finally:
        tab.close()


def test_the_editor_completes_the_datasets_prefixes_from_this_server(browser, server):
    tab = browser.load(server + "/sparql", 1280)
    try:
        tab.run("localStorage.clear()")  # the completer keeps the list it fetched: ask again
        tab.go(server + "/sparql")
        tab.run(
            "(() => { const cm = document.querySelector('.CodeMirror').CodeMirror; cm.setValue('PREFIX fo');"
            " cm.focus(); cm.setCursor({line: 0, ch: 9}); cm.autocomplete(); })()"
        )
        deadline = time.monotonic() + 10
        hints: object = []
        while time.monotonic() < deadline and not hints:
            browser.wait(0.2)
            hints = tab.value("[...document.querySelectorAll('.CodeMirror-hint')].map(h => h.textContent)")
        assert hints == ["foaf: <http://xmlns.com/foaf/0.1/>"], hints
        assert server + "/sparql/prefixes.json" in tab.requests()
        assert not tab.outside(server) and not tab.errors(), tab.errors()
    finally:
        tab.close()


def test_the_editor_runs_the_query_with_ctrl_enter_and_keeps_it_on_an_error(browser, server):
    tab = browser.load(server + "/sparql", 1280)
    try:
        bad = "SELECT ?name WHERE {\n  ?p foaf:name ?name .\n}"
        editor = "document.querySelector('.CodeMirror').CodeMirror"
        tab.run(f"(cm => {{ cm.setValue({json.dumps(bad)}); cm.focus(); }})({editor})")
        tab.go_by(None, keys=True)  # Ctrl-Enter in the editor sends the form
        assert "/sparql?query=" in tab.url
        assert tab.value("document.querySelector('.CodeMirror').CodeMirror.getValue()") == bad  # the query kept
        message = str(tab.value("document.getElementById('query-error').innerText"))
        assert "line 2" in message and "add PREFIX foaf: <http://xmlns.com/foaf/0.1/>" in message
        assert tab.value("document.querySelector('.CodeMirror').CodeMirror.getCursor().line") == 1  # at the error
        assert not tab.outside(server)
    finally:
        tab.close()
