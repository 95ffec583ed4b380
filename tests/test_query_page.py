"""The query page: worked examples that answer on the seed project, results drawn as a bar chart or a map when
they have that shape, an error that keeps the query and says where it failed, the editor's files served from
the app with their licence, and scripts allowed on this page only."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from b40graph.core.settings import Settings
from b40graph.core.vocab import PREFIXES
from b40graph.pipeline import build
from b40graph.sparql.hints import explain, undeclared
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app
from b40graph.web.examples import EXAMPLES

from .conftest import seed_project

STATIC = Path(__file__).resolve().parents[1] / "src/b40graph/web/static"
SVG = "{http://www.w3.org/2000/svg}"
MAP_EXAMPLE = next(q for lbl, q in EXAMPLES if lbl == "Where are the members? (a map)")


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """A test client over a build of the seed project (the two seed declarations)."""
    tmp = tmp_path_factory.mktemp("seed")
    settings = Settings(root=seed_project(tmp / "project"), out=tmp / "out", query_timeout=10, query_workers=1)
    build(settings)
    backend = EmbeddedBackend(settings)
    app = create_app(settings, backend)
    app.config["TESTING"] = True
    yield app.test_client()
    backend.close()


class Page(HTMLParser):
    """Elements and their text, as a list of (tag, attributes, text inside)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[int] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, []))
        if tag not in ("link", "meta", "input", "br", "img"):
            self._open.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self.elements[self._open.pop()][0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for i in self._open:
            self.elements[i][2].append(data)

    def all(self, tag: str, **attrs: str) -> list[tuple[dict[str, str], str]]:
        return [
            (a, "".join(text))
            for t, a, text in self.elements
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]


@pytest.mark.parametrize("label, query", EXAMPLES, ids=[label for label, _ in EXAMPLES])
def test_every_example_answers_on_the_seed_project(seed, label, query):
    r = seed.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.data[:500]
    rows = r.get_json()["results"]["bindings"]
    assert rows, f"no answer to: {label}"
    assert all(any(b.values()) for b in rows)


def test_there_are_ten_examples_or_more_each_a_question_with_its_own_query():
    assert len(EXAMPLES) >= 10
    assert len({q for _, q in EXAMPLES}) == len(EXAMPLES) and len({lbl for lbl, _ in EXAMPLES}) == len(EXAMPLES)


def test_a_count_per_label_is_drawn_as_a_bar_chart(seed):
    query = next(q for lbl, q in EXAMPLES if lbl.startswith("How many members does each country"))
    r = seed.get("/sparql", query_string={"query": query, "format": "html"})
    assert r.status_code == 200
    page = Page(r.data.decode())
    table = [re.sub(r"@[a-z-]+$", "", text) for _, text in page.all("td")]  # without the language tag shown
    countries, counts = table[0::2], [int(n) for n in table[1::2]]
    bars = [float(a["width"]) for a, _ in page.all("rect")]
    assert len(bars) == len(countries) > 1
    # the page's title, the chart's, then one per bar
    assert [t for _, t in page.all("title")][2:] == [f"{c}: {n}" for c, n in zip(countries, counts, strict=True)]
    # bar lengths in proportion to the counts: the largest count has the longest bar
    top = max(counts)
    for bar, count in zip(bars, counts, strict=True):
        assert bar == pytest.approx(bars[counts.index(top)] * count / top, abs=0.1)
    # three columns (a list of names besides the count) are no bar chart
    other = next(q for lbl, q in EXAMPLES if lbl == "Members of the network by country")
    assert "<svg" not in seed.get("/sparql", query_string={"query": other, "format": "html"}).data.decode()


def _chart(html: str, chart: str) -> ET.Element:
    found = re.search(rf'<svg [^>]*aria-labelledby="{chart}-title[^"]*".*?</svg>', html, re.S)
    assert found, f"no {chart} chart"
    return ET.fromstring(found.group(0))


def _dots(svg: ET.Element) -> dict[str, tuple[float, float]]:
    """Each dot's name (its link's or group's title): its centre as a share of the picture's width and height."""
    _, _, width, height = (float(n) for n in svg.get("viewBox", "").split())
    out = {}
    for mark in [*svg.iter(SVG + "a"), *svg.iter(SVG + "g")]:
        circle = mark.find(SVG + "circle")
        if circle is not None:
            x, y = float(circle.get("cx", "")), float(circle.get("cy", ""))
            out[mark.findtext(SVG + "title") or ""] = (x / width, y / height)
    return out


def _outlines(svg: ET.Element) -> set[str]:
    return {p.findtext(SVG + "title") or "" for p in svg.iter(SVG + "path")}


def test_rows_with_latitude_and_longitude_are_drawn_as_dots(seed):
    query = """SELECT ?city ?lat ?long WHERE { VALUES (?city ?lat ?long) {
      ("Athens" 37.98 23.73) ("Belgrade" 44.82 20.46) ("Istanbul" 41.01 28.98) ("nowhere" 123.0 0.0) } }"""
    svg = _chart(seed.get("/sparql", query_string={"query": query, "format": "html"}).data.decode(), "result-map")
    dots = _dots(svg)
    assert set(dots) == {"Athens", "Belgrade", "Istanbul"}  # a latitude of 123 is nowhere on Earth
    assert dots["Belgrade"][1] < dots["Istanbul"][1] < dots["Athens"][1]  # north is up
    assert dots["Belgrade"][0] < dots["Athens"][0] < dots["Istanbul"][0]  # east is right
    assert {"Greece", "Serbia", "Turkey"} <= _outlines(svg)  # in the region: the overview map's outlines
    assert "<circle" not in seed.get("/sparql", query_string={"query": EXAMPLES[0][1], "format": "html"}).data.decode()
    # points outside the region the outlines cover: dots on their own, no cut-off country
    far = 'SELECT * WHERE { VALUES (?city ?lat ?long) { ("Lima" -12.05 -77.04) ("Athens" 37.98 23.73) } }'
    svg = _chart(seed.get("/sparql", query_string={"query": far, "format": "html"}).data.decode(), "result-map")
    assert set(_dots(svg)) == {"Lima", "Athens"} and _outlines(svg) == set()


def test_the_map_example_draws_the_members_as_the_overview_map_does(seed):
    r = seed.get("/sparql", query_string={"query": MAP_EXAMPLE, "format": "html"})
    assert r.status_code == 200
    html = r.data.decode()
    svg = _chart(html, "result-map")
    marks = [a for a in svg.iter(SVG + "a") if a.find(SVG + "circle") is not None]
    links = {a.get("href"): a.findtext(SVG + "title") for a in marks}
    overview = _chart(seed.get("/overview/map").data.decode(), "map")
    members = {a.get("href") for a in overview.iter(SVG + "a") if a.find(SVG + "circle") is not None}
    assert members and set(links) == members  # one dot per member with a point, linked to its page
    assert links["/doc/municipality/athens"] == "City of Athens"  # named by the label column, not the IRI
    # the same projection: each member at the same place in both pictures (as a share of width and height)
    ours = {href: _dots(svg)[name] for href, name in links.items()}
    theirs = {a.get("href"): _dots(overview)[a.findtext(SVG + "title") or ""] for a in overview.iter(SVG + "a")}
    for href, (x, y) in ours.items():
        assert theirs[href] == (pytest.approx(x, abs=0.002), pytest.approx(y, abs=0.002)), href
    assert _outlines(svg) == _outlines(overview) and "Greece" in _outlines(svg)
    rows = len(Page(html).all("tr")) - 1
    assert rows >= len(members)  # the table has the rows the map draws


def test_an_error_keeps_the_query_and_says_where_and_which_prefix_is_missing(seed):
    query = "SELECT ?name WHERE {\n  ?person foaf:name ?name .\n}"
    r = seed.get("/sparql", query_string={"query": query, "format": "html"})
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert r.headers["Cache-Control"] == "no-store" and r.headers["X-B40-Error"] == "bad-query"
    page = Page(r.data.decode())
    assert [text for _, text in page.all("textarea", name="query")] == [query]
    (error, text), *_ = page.all("div", id="query-error")
    assert error["data-line"] == "2" and "line 2, column" in text
    assert "add PREFIX foaf: <http://xmlns.com/foaf/0.1/>" in " ".join(text.split())
    # a client asking for JSON still gets the error object, not the page
    r = seed.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 400 and r.get_json()["error"] == "bad-query"
    # POSTed from the form: the same page
    r = seed.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p }", "format": "html"})
    assert r.status_code == 400 and "?s ?p }" in r.data.decode() and "line 1, column" in r.data.decode()


def test_undeclared_prefixes_are_found_outside_iris_strings_and_comments():
    query = (
        "PREFIX dct: <http://purl.org/dc/terms/>\n"
        'SELECT * { ?s dct:title "a:b" ; <http://x/y:z> ?o ; geo:lat ?l ; zz:q ?z } # c:d'
    )
    assert undeclared(query) == ["geo", "zz"]
    hint = explain(query, "error at 3:5: expected something")
    assert (hint.line, hint.column) == (3, 5)
    assert hint.advice() == [
        "the prefix 'geo:' is not declared: add PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>",
        "the prefix 'zz:' is not declared: add a line PREFIX zz: <…> naming its namespace",
    ]


def test_scripts_only_on_the_query_page_and_only_from_this_server(seed):
    home = seed.get("/", headers={"Accept": "text/html"})
    assert "script-src 'none'" in home.headers["Content-Security-Policy"] and "<script src" not in home.data.decode()
    for r in (
        seed.get("/sparql", headers={"Accept": "text/html"}),
        seed.get("/sparql", query_string={"query": EXAMPLES[0][1], "format": "html"}),
    ):
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'self'" in csp and "'unsafe-eval'" not in csp
        page = Page(r.data.decode())
        sources = [a["src"] for a, _ in page.all("script")] + [a["href"] for a, _ in page.all("link", rel="stylesheet")]
        assert sources and all(re.fullmatch(r"/static/[\w./-]+\?v=[0-9a-f]{12}", s) for s in sources), sources
        assert {a.get("id") for a, _ in page.all("form", action="/sparql")} == {"query-form"}  # the no-JS form


def test_static_files_are_served_with_a_long_cache_and_the_editor_licence_beside_them(seed):
    page = Page(seed.get("/sparql", headers={"Accept": "text/html"}).data.decode())
    for src in [a["src"] for a, _ in page.all("script")]:
        r = seed.get(src)
        assert r.status_code == 200 and r.mimetype == "text/javascript"
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        path = STATIC / src.split("?")[0].removeprefix("/static/")
        assert r.data == path.read_bytes()
    stale = seed.get("/static/sparql-editor.js?v=000000000000")  # an old version's URL: revalidated soon
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "public, max-age=60"
    assert seed.get("/static/../app.py").status_code == 404
    assert seed.get("/static/no-such-file.js").status_code == 404
    licence = (STATIC / "yasgui/LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Permission is hereby granted" in licence
    assert "@zazuko/yasgui" in (STATIC / "yasgui/THIRD-PARTY-NOTICES").read_text(encoding="utf-8")


def test_the_editor_completes_this_datasets_prefixes(seed):
    r = seed.get("/sparql/prefixes.json")
    assert r.status_code == 200 and r.mimetype == "application/json" and r.get_json() == PREFIXES


def test_the_error_page_says_where_on_either_backend(client):
    """The embedded store and a remote Oxigraph server word their parse errors alike: line and column found."""
    query = "SELECT ?name WHERE {\n  ?person foaf:name ?name .\n}"
    r = client.get("/sparql", query_string={"query": query, "format": "html"})
    assert r.status_code == 400
    page = Page(r.data.decode())
    assert [text for _, text in page.all("textarea", name="query")] == [query]
    (error, text), *_ = page.all("div", id="query-error")
    assert error.get("data-line") == "2", text
    assert "add PREFIX foaf: <http://xmlns.com/foaf/0.1/>" in " ".join(text.split())
