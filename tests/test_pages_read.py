"""Resource pages that read well (issue 14, "Read"): a summary sentence first, properties by name, inferred
statements marked and their duplicates folded, type badges once, lists in alphabetical order with accents
folded, a language switch, description and OpenGraph tags. On a project of the two seed declarations, the
growth fixture (İmamoğlu signs again in 2026) and tests/fixtures/read (Cetinje and an oddly named member)."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from b40graph.core.settings import Settings
from b40graph.pipeline import build
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app

from .conftest import GROWTH, ROOT, grow, seed_project

READ = ROOT / "tests" / "fixtures" / "read"
HTML = {"Accept": "text/html"}
CURIE = re.compile(r"^[a-z][a-z0-9]*:[A-Za-z_]")


class Page(HTMLParser):
    """The parts of a page the tests read: meta tags, the summary, the properties table's headers and
    values, the type badges, the language links and the text of each list item / table cell."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.summary = ""
        self.badges: list[tuple[str, str]] = []
        self.languages: list[dict[str, str | None]] = []
        self.prop_headers: list[str] = []
        self.prop_rows: list[tuple[str, str, list[str]]] = []  # (header text, cell text, hrefs in the cell)
        self._stack: list[tuple[str, dict[str, str | None]]] = []
        self._in: str | None = None
        self._text: list[str] = []
        self._cell = {"th": "", "td": ""}
        self._hrefs: list[str] = []
        self._in_props = False
        self._h2 = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta":
            key = a.get("name") or a.get("property")
            if key:
                self.meta[key] = a.get("content") or ""
            return
        if tag == "p" and a.get("class") == "summary":
            self._in = "summary"
        elif tag == "span" and (a.get("class") or "").startswith("tag") and self._in is None:
            self._in, self._badge_class = "badge", a.get("class") or ""
            self._text = []
        elif tag == "h2":
            self._in, self._text = "h2", []
        elif tag == "table" and self._h2 == "Properties":  # the table under the heading "Properties"
            self._in_props = True
        elif self._in_props and tag in ("th", "td"):
            self._in, self._text = tag, []
            if tag == "th":
                self._hrefs = []
        elif tag == "a" and a.get("hreflang"):
            self.languages.append(a)
        if tag == "a" and self._in_props:
            self._hrefs.append(a.get("href") or "")
        if tag == "span" and a.get("class") == "also" and self._in == "th":
            self._in = "also"

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._in == "summary":
            self._in = None
        elif tag == "h2" and self._in == "h2":
            self._h2, self._in = "".join(self._text).strip(), None
        elif tag == "span" and self._in == "badge":
            self.badges.append(("".join(self._text), self._badge_class))
            self._in = None
        elif tag == "span" and self._in == "also":
            self._in = "th"
        elif tag in ("th", "td") and self._in == tag:
            self._cell[tag] = "".join(self._text)
            self._in = None
            if tag == "th":
                self.prop_headers.append(self._cell["th"])
            else:
                self.prop_rows.append((self._cell["th"], self._cell["td"], list(self._hrefs)))
        elif tag == "table":
            self._in_props = False

    def handle_data(self, data: str) -> None:
        if self._in == "summary":
            self.summary += data
        elif self._in in ("badge", "th", "td", "also", "h2"):
            self._text.append(data)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = grow(grow(seed_project(tmp_path_factory.mktemp("read")), GROWTH), READ)
    settings = Settings(root=root, out=root / "dist", query_timeout=5, query_workers=1)
    build(settings)
    backend = EmbeddedBackend(settings)
    app = create_app(settings, backend)
    app.config["TESTING"] = True
    yield app.test_client()
    backend.close()


def _page(client, path: str, **headers: str) -> Page:  # type: ignore[no-untyped-def]
    r = client.get(path, headers={**HTML, **headers})
    assert r.status_code == 200, (path, r.status_code)
    return Page(r.get_data(as_text=True))


def _row(path: Path, slug: str) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        return next(row for row in csv.DictReader(fh) if row.get("slug", row.get("code")) == slug)


def test_a_person_who_signed_twice_is_summed_up_in_a_sentence(client):
    # the growth fixture: İmamoğlu signs the 2026 declaration, printed "Mayor of Istanbul" as in 2021
    page = _page(client, "/doc/person/ekrem-imamoglu")
    assert page.summary == "Mayor of Istanbul; signed 2 declarations, 2021 and 2026."
    assert page.meta["description"] == page.summary


def test_a_declaration_is_summed_up_with_date_event_place_signatories_and_themes(client):
    event = _row(ROOT / "data" / "events.csv", "2021-istanbul-kickoff")
    place = _row(ROOT / "data" / "places.csv", event["place"])
    page = _page(client, "/doc/declaration/2021-b40-founding-declaration")
    assert page.summary.startswith(f"Adopted on {event['end']} at {event['name_en']} in {place['name_en']}; ")
    assert "; signed by 22 people for 22 municipalities; commits to " in page.summary
    grown = _page(client, "/doc/declaration/2026-test-growth-declaration")
    # two signatures in the fixture (Istanbul, Testgrad); its operative clauses name climate action
    assert grown.summary.startswith("Adopted on 2026-03-10; signed by 2 people for 2 municipalities; commits to ")
    assert "Climate action" in grown.summary


@pytest.mark.parametrize(
    "path",
    [
        "/doc/declaration/2021-b40-founding-declaration",
        "/doc/municipality/split",
        "/doc/person/ekrem-imamoglu",
        "/doc/theme/climate-action",
        "/doc/place/split",
        "/doc/event/2021-istanbul-kickoff",
        "/doc/declaration/2021-b40-founding-declaration/clause/10",
    ],
)
def test_properties_are_shown_by_name_never_by_prefixed_name(client, path):
    page = _page(client, path)
    assert page.prop_headers, "the page has a properties table"
    bare = [h for h in page.prop_headers if CURIE.match(h.strip())]
    assert not bare, f"prefixed names in the properties table of {path}: {bare}"


def test_identifier_is_named_and_type_badges_are_not_repeated(client):
    page = _page(client, "/doc/municipality/split")
    assert any(h.startswith("Identifier") for h in page.prop_headers)
    names = [name.strip().casefold() for name, _ in page.badges]
    assert names and len(names) == len(set(names)), page.badges  # org:Organization, prov:Organization: one
    assert "organization" in names and "municipality" in names
    # the asserted type first, the reasoner's marked as such
    assert names[0] == "municipality" and "inf" not in page.badges[0][1]
    assert all("inf" in cls for name, cls in page.badges[1:])


def test_inferred_statements_are_marked_and_their_duplicates_folded(client):
    page = _page(client, "/doc/municipality/athens")
    network_rows = [(h, td) for h, td, hrefs in page.prop_rows if "/doc/network/b40" in hrefs]
    # org:memberOf and b40:memberOfNetwork (both derived) name the network: one row, marked inferred
    assert len(network_rows) == 1, page.prop_rows
    header = network_rows[0][0]
    assert "inferred" in header and "also: member of" in header.casefold()
    decl = _page(client, "/doc/declaration/2021-b40-founding-declaration")
    clauses = [h for h in decl.prop_headers if h.startswith("Has clause")]
    assert clauses and "Has Part (inferred)" in clauses[0]  # dct:hasPart, derived from b40:hasClause
    assert not [h for h in decl.prop_headers if h.startswith("Has Part")]
    # asserted facts carry no mark
    identifier = next(h for h in decl.prop_headers if h.startswith("Identifier"))
    assert "inferred" not in identifier


def test_lists_sort_by_the_readers_alphabet(client):
    from b40graph.web.readable import sort_key  # here: the other tests run on code without the module

    page = _page(client, "/doc/network/b40")
    members = next(td for h, td, hrefs in page.prop_rows if "/doc/municipality/cetinje" in hrefs)
    cetinje = _row(READ / "data/municipalities.csv", "cetinje")["name_en"]
    at = [members.index(n) for n in ("Çanakkale Municipality", cetinje, "City of Athens")]
    assert at == sorted(at), members  # Çanakkale with the C's (before "Capital", "Cetinje", "City")
    assert sort_key("Athens") < sort_key("Çanakkale") < sort_key("Cetinje") < sort_key("Zagreb")
    assert sort_key("İstanbul")[0] == sort_key("Istanbul")[0] == "istanbul"


def test_a_page_in_greek_falls_back_to_english_and_links_each_language(client):
    greece = _row(ROOT / "data" / "countries.csv", "gr")
    page = _page(client, "/doc/municipality/athens?lang=el")
    assert f"Municipality in {greece['name_local']}; member of B40 Balkan Cities Network since " in page.summary
    by_tag = {(a["hreflang"] or "").lower(): a for a in page.languages}  # tags are case-insensitive
    assert {"en", "el", "tr", "sr-cyrl"} <= set(by_tag), by_tag
    assert by_tag["el"].get("aria-current") == "true" and by_tag["en"].get("aria-current") is None
    assert by_tag["en"]["href"] == "/doc/municipality/athens?lang=en"
    english = _page(client, by_tag["en"]["href"] or "")
    assert f"Municipality in {greece['name_en']};" in english.summary
    # negotiated: the cached pages are kept per language, and say that they vary by it
    r = client.get("/doc/municipality/athens", headers={**HTML, "Accept-Language": "el"})
    assert "accept-language" in r.headers["Vary"].lower()
    assert f"Municipality in {greece['name_local']};" in Page(r.get_data(as_text=True)).summary
    plain = _page(client, "/doc/municipality/athens.html")
    assert f"Municipality in {greece['name_en']};" in plain.summary
    assert {a["href"] for a in plain.languages} >= {"/doc/municipality/athens?lang=el"}


def test_meta_description_and_opengraph_tags_are_present_and_escaped(client):
    r = client.get("/doc/municipality/testtown", headers=HTML)
    body = r.get_data(as_text=True)
    head = body.split("</head>", 1)[0]
    name = _row(READ / "data/municipalities.csv", "testtown")["name_en"]
    page = Page(body)
    assert page.meta["og:title"] == name  # the parser unescapes: the attribute held the name, escaped
    assert page.meta["description"] == page.meta["og:description"] == page.summary
    assert page.summary.startswith("Municipality in Montenegro; member of ")
    assert page.meta["og:url"] == "https://w3id.org/b40/doc/municipality/testtown"
    assert page.meta["og:type"] == "website"
    assert "<b>" not in head and "&lt;b&gt;Town&lt;/b&gt;" in head and "&#34;Quoted&#34;" in head
    for path in ("/", "/sparql", "/doc/declaration/2021-b40-founding-declaration"):
        meta = _page(client, path).meta
        assert {"description", "og:title", "og:description", "og:url", "og:type"} <= set(meta), path


def test_a_network_a_country_and_a_role_are_summed_up(client):
    # seed: 22 founding members and 2 declarations; growth: Testgrad and a declaration; read: 2 more members
    network = _page(client, "/doc/network/b40")
    ttl = (ROOT / "data" / "network.ttl").read_text(encoding="utf-8")
    founded = re.search(r'schema:foundingDate "([0-9-]+)"', ttl)
    where = re.search(r"schema:foundingLocation <[^>]*place/([a-z-]+)>", ttl)
    assert founded and where
    place = _row(ROOT / "data" / "places.csv", where.group(1))["name_en"]
    expected = f"Network of 25 members; founded on {founded.group(1)} in {place}; published 3 declarations."
    assert network.summary == expected
    montenegro = _page(client, "/doc/country/me")  # Podgorica and Kotor (seed), Cetinje and the test town
    assert montenegro.summary == "Country of 4 member municipalities."
    assert _page(client, "/doc/role/deputy-mayor").summary.startswith("Signatory role: 2 signatures by 2 people")


def test_a_member_that_never_signed_is_said_to_have_signed_none(client):
    cetinje = _page(client, "/doc/municipality/cetinje")  # a later member of the read fixture, no signature
    assert cetinje.summary.endswith("; has signed no declaration.")
    assert "signed 0" not in cetinje.summary


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = """<!doctype html><html><body style="margin:0">
<iframe id="f" src="{page}" style="width:390px;height:844px;border:0"></iframe><script>
document.getElementById("f").onload = function () {{
  var d = this.contentDocument, w = this.contentWindow, cell = d.querySelector("table.cards td");
  document.body.setAttribute("data-width", d.documentElement.scrollWidth + "/" + d.documentElement.clientWidth);
  if (cell) {{
    document.body.setAttribute("data-cell", w.getComputedStyle(cell).display);
    document.body.setAttribute("data-label", w.getComputedStyle(cell, "::before").content);
  }}
}};</script></body></html>"""


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (scripts/setup --test installs it)")
@pytest.mark.parametrize("path", ["/doc/declaration/2021-b40-founding-declaration", "/doc/person/ekrem-imamoglu"])
def test_at_390_px_nothing_scrolls_sideways_and_signatures_stack_as_cards(client, path, tmp_path):
    # The page as served (its CSS is inline, it loads nothing else), measured in a 390 px frame of a page of
    # the test's own (the served page forbids script; a file next to it may read its layout).
    (tmp_path / "page.html").write_bytes(client.get(path, headers=HTML).data)
    (tmp_path / "phone.html").write_text(PHONE.format(page="page.html"), encoding="utf-8")
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    command += ["--allow-file-access-from-files", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars"]
    command += ["--virtual-time-budget=3000", "--dump-dom", (tmp_path / "phone.html").as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    found = dict(re.findall(r'data-(width|cell|label)="([^"]*)"', done.stdout))
    assert found.get("width") == "390/390", (found, done.stderr[-500:])  # no horizontal scrolling
    assert found.get("cell") == "block"  # a signature is a card: its cells one under the other,
    assert found.get("label", "").strip("'\"&quot;").startswith(("Signatory:", "Declaration:"))  # each named
