"""Hostile data: markup in labels and texts is shown as text on every page; bad declaration files get a clear
build error; the ingest parser never crashes on random input (hypothesis)."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b40graph.cli import main
from b40graph.core.errors import DataError
from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.sources.declaration import parse_text
from b40graph.sources.files import decode, read_source
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app

from .conftest import copy_project

DECL = "data/declarations/2021-11-30-b40-founding-declaration.md"
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '" onmouseover="alert(2)'
JSONLD_BREAK = "</script><script>alert(3)</script>"
JS_IRI = "javascript:alert(4)"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _poison(root: Path) -> None:
    # A clause text, the declaration's title and its source URL.
    _edit(
        root / DECL,
        "With a shared vision for a European future,",
        f"With a shared vision {SCRIPT} for a {BREAKOUT} European {JSONLD_BREAK} future <a href='{JS_IRI}'>x</a>,",
    )
    _edit(root / DECL, "title: B40 Balkan Cities Network Declaration", f"title: 'B40 {SCRIPT} Declaration {BREAKOUT}'")
    _edit(root / DECL, "founding: true\n", f"founding: true\nurl: {JS_IRI}\n")
    # A municipality's local-language label.
    path = root / "data/municipalities.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows:
        if row[0] == "athens":
            row[2] = f"Δήμος {SCRIPT}{BREAKOUT}{JSONLD_BREAK}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    # The network: a javascript: IRI as its URL and markup in its description.
    _edit(
        root / "data/network.ttl",
        "schema:foundingDate",
        f'schema:url <{JS_IRI}> ;\n    rdfs:comment "{JSONLD_BREAK} {SCRIPT}"@en ;\n    schema:foundingDate',
    )


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("poisoned"))
    _poison(root)
    settings = Settings(root=root, out=root / "dist", query_timeout=3, query_workers=1)
    build(settings)
    backend = EmbeddedBackend(settings)
    app = create_app(settings, backend)
    app.config["TESTING"] = True
    yield app.test_client()
    backend.close()


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.handlers: list[tuple[str, str]] = []
        self.js_links: list[str] = []
        self._in_script: dict[str, str | None] | None = None
        self._script_text: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append((tag, name))
            link = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.lower() in ("href", "src", "action", "formaction") and link.startswith(("javascript:", "data:")):
                self.js_links.append(value or "")
        if tag == "script":
            self._in_script = dict(attrs)
            self._script_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._script_text)))
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self._script_text.append(data)
        else:
            self.text.append(data)


def _check_page(html: str, editor: bool = False) -> _Page:
    """`editor`: the query page, which loads the editor's scripts from /static/ (and no inline script)."""
    page = _Page()
    page.feed(html)
    page.close()
    assert not page.handlers, page.handlers
    assert not page.js_links, page.js_links
    for attrs, body in page.scripts:
        if editor and attrs.get("src", "").startswith("/static/") and not body.strip():
            continue
        assert attrs.get("type") == "application/ld+json", attrs
        json.loads(body)  # still one JSON document: nothing broke out of it
        assert "</" not in body and "<script" not in body.lower()
    return page


PAGES = [
    "/",
    "/doc/declaration/2021-b40-founding-declaration",
    "/doc/declaration/2021-b40-founding-declaration/clause/3",
    "/doc/municipality/athens",
    "/doc/place/athens",
    "/doc/person/kostas-bakoyannis",
    "/doc/theme/climate-action",
    "/doc/network/b40",
    "/doc/country/gr",
    "/download/",
    "/ontology",
    "/sparql",
    "/.well-known/void?format=html",
]


@pytest.mark.parametrize("path", PAGES)
def test_markup_in_data_is_shown_as_text(poisoned, path):
    r = poisoned.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200, (path, r.status_code)
    editor = path == "/sparql"  # the one page with scripts: the query editor's, from this server's files
    assert ("script-src 'self'" if editor else "script-src 'none'") in r.headers["Content-Security-Policy"]
    _check_page(r.data.decode(), editor)


def test_the_poison_is_really_on_the_pages(poisoned):
    """The check above is meaningful: the hostile strings are in the data and shown, as text."""
    decl = _check_page(poisoned.get("/doc/declaration/2021-b40-founding-declaration").data.decode())
    text = "".join(decl.text)
    assert SCRIPT in text and BREAKOUT in text and "B40 <script>" in text
    assert any(SCRIPT in body or "\\u003cscript" in body for _, body in decl.scripts)
    athens = "".join(_check_page(poisoned.get("/doc/municipality/athens").data.decode()).text)
    assert JSONLD_BREAK in athens
    network = poisoned.get("/doc/network/b40").data.decode()
    assert JS_IRI in "".join(_check_page(network).text)


@pytest.mark.parametrize("fmt", ["html", "json", "xml", "csv", "tsv"])
def test_query_results_show_markup_as_text(poisoned, fmt):
    query = (
        "SELECT ?l ?u WHERE { { ?s ?p ?l FILTER(CONTAINS(STR(?l), 'alert')) } "
        "UNION { ?x <https://schema.org/url> ?u } }"
    )
    r = poisoned.get("/sparql", query_string={"query": query, "format": fmt})
    assert r.status_code == 200
    if fmt == "html":
        page = _check_page(r.data.decode(), editor=True)
        assert SCRIPT in "".join(page.text)
    elif fmt == "json":
        values = [b["l"]["value"] for b in json.loads(r.data)["results"]["bindings"] if "l" in b]
        assert any(SCRIPT in v for v in values)
    elif fmt == "xml":
        assert b"<script>" not in r.data and b"&lt;script&gt;" in r.data


def test_query_page_echoes_hostile_query_as_text(poisoned):
    query = f"SELECT * WHERE {{ ?s ?p '{SCRIPT}{BREAKOUT}' }} # </textarea>{SCRIPT}"
    r = poisoned.get("/sparql", query_string={"query": query, "format": "html"})
    assert r.status_code == 200
    page = _check_page(r.data.decode(), editor=True)
    assert SCRIPT in "".join(page.text)
    # one that does not parse comes back too, in the textarea and in the line shown where it failed
    broken = f"SELECT * WHERE {{ ?s {SCRIPT}:x '{BREAKOUT}' }} </textarea>{SCRIPT}"
    r = poisoned.get("/sparql", query_string={"query": broken, "format": "html"})
    assert r.status_code == 400
    page = _check_page(r.data.decode(), editor=True)
    assert "".join(page.text).count(SCRIPT) >= 2


# -- bad declaration files: a clear build error naming the file and line, nothing published ----------------------
@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("bad"))
    assert main(["build", "--root", str(root), "--no-progress"]) == 0
    return root


BAD_FILES = {
    "huge": (lambda raw: raw + b"\n" + b"We will grow. " * 500_000, ["bytes, over the limit"]),
    "binary-nul": (lambda raw: raw.replace(b"founding: true", b"founding: t\x00rue", 1), ["NUL", ".md:10:"]),
    "binary-png": (lambda raw: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, ["NUL", ".md:3:"]),
    "latin-1": (lambda raw: raw.replace("Constanța".encode(), b"Constan\xfea", 1), ["not valid UTF-8", ":68"]),
    "utf-16": (lambda raw: raw.decode("utf-8").encode("utf-16"), ["NUL"]),
    "no-front-matter": (lambda raw: raw.split(b"\n---\n", 1)[1], ["does not start with a '---'", ":1"]),
    "never-closed": (lambda raw: raw.replace(b"\n---\n", b"\n--\n", 1), ["never closed"]),
    "yaml-broken": (lambda raw: raw.replace(b"language: en", b"language: [en", 1), ["not valid YAML"]),
    "yaml-list": (lambda raw: b"---\n- a\n- b\n---\ntext\n", ["not a list of 'key: value'", ":2"]),
    "yaml-empty": (lambda raw: b"---\n---\nWe will.\n", ["front matter is empty"]),
    "yaml-alias-bomb": (
        lambda raw: (
            b"---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\nWe will.\n"
        ),
        ["unknown front-matter key"],
    ),
    "yaml-python-tag": (
        lambda raw: raw.replace(b"language: en", b"language: !!python/object/apply:os.system ['true']", 1),
        ["not valid YAML"],
    ),
    "control-char": (lambda raw: raw.replace(b"language: en", b"language: e\x1fn", 1), ["U+001F", ".md:6:"]),
    "bad-id": (lambda raw: raw.replace(b"id: 2021-b40-founding-declaration", b"id: ../../etc", 1), ["not a slug"]),
    "impossible-date": (lambda raw: raw.replace(b"adopted: 2021-11-30", b"adopted: 2021-02-30", 1), ["YYYY-MM-DD"]),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_declaration_file_is_a_clear_build_error(project, capsys, name):
    change, expected = BAD_FILES[name]
    path = project / DECL
    original = path.read_bytes()
    before = (project / "dist/current").resolve()
    snapshot = (before / "release.json").read_bytes()
    path.write_bytes(change(original))
    try:
        assert main(["build", "--root", str(project), "--no-progress"]) == 1
        err = capsys.readouterr().err
        assert "nothing was published" in err and DECL.rsplit("/", 1)[1] in err, err
        for text in expected:
            assert text in err, err
        assert (project / "dist/current").resolve() == before
        assert (before / "release.json").read_bytes() == snapshot
    finally:
        path.write_bytes(original)


# -- property-based: the ingest parser returns a result or a DataError, nothing else ------------------------------
FRONT_KEYS = st.sampled_from(["id", "title", "adopted", "language", "source", "event", "place", "founding", "themes"])
YAML_VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(),
    st.sampled_from(
        ["2021-11-30", "2021-13-45", "true", "[a, b", "{x: 1}", "- a", "&a x", "*a", "!!binary x", "'", '"']
    ),
)


@st.composite
def declarations(draw) -> bytes:
    lines = ["---"]
    for key, value in draw(st.lists(st.tuples(FRONT_KEYS, YAML_VALUES), max_size=8)):
        lines.append(f"{key}: {value}")
    if draw(st.booleans()):
        lines.append("---")
    body = draw(
        st.lists(
            st.one_of(
                st.text(max_size=80),
                st.sampled_from(["", "- ", "On behalf of City of Athens", "Kostas BAKOYANNIS", "Date: 30.11.2021"]),
                st.sampled_from(["We will act;", "We, the mayors:", "**Title**", "# Heading", "Date: 99.99.9999"]),
            ),
            max_size=30,
        )
    )
    text = "\n".join(lines + body)
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + draw(st.binary(max_size=8)) + raw[cut:]
    return raw


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=declarations())
def test_read_source_never_crashes(tmp_path_factory, raw):
    path = tmp_path_factory.getbasetemp() / "fuzz-declaration.md"
    path.write_bytes(raw)
    try:
        source = read_source(path, max_bytes=1 << 20)
    except DataError as err:
        assert err.problems and all(p.message for p in err.problems)
        assert str(err)
        return
    try:
        parse_text(path, source.body, source.body_first_line)
    except DataError as err:
        assert err.problems and all(p.message for p in err.problems)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=2000))
def test_decode_random_bytes(raw):
    try:
        text = decode(Path("x.md"), raw, 1000)
    except DataError as err:
        assert err.problems[0].message
    else:
        assert isinstance(text, str)


@settings(max_examples=200, deadline=None)
@given(body=st.text(max_size=3000), first=st.integers(1, 10_000))
def test_parse_text_random_text(body, first):
    try:
        parsed = parse_text(Path("x.md"), body, first)
    except DataError as err:
        assert err.problems and all(p.message and (p.line is None or p.line >= first) for p in err.problems)
    else:
        assert parsed.clauses and all(c.line >= first for c in parsed.clauses)
