"""Overviews (issue 14, "See"): the map, timeline, declarations × themes and members by country pages, the CSV
tables, and the coordinates of the places (GeoNames, published as geo:lat/geo:long and schema:geo).

Checked by content on projects of their own: the seed declarations (conftest.seed_project), and the same
grown by tests/fixtures/growth (a third declaration re-signed by a founding signatory, and Testgrad, a member
that joined later), whose invented place is given a point here. What the grown project adds is counted
against the seed project, never a count of the live data/.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from b40graph.author import geocode
from b40graph.core.errors import DataError
from b40graph.core.settings import Settings
from b40graph.core.text import sort_key
from b40graph.pipeline import build
from b40graph.sources.reference import load_reference
from b40graph.store.embedded import EmbeddedBackend
from b40graph.web.app import create_app

from .conftest import BASE, ROOT, grow, replace_in, seed_project, select

SVG = "{http://www.w3.org/2000/svg}"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SCHEMA = "https://schema.org/"
TESTGRAD_POINT = ("41.7", "22.2")  # invented, as Testgrad is
GROWTH_ID = "2026-test-growth-declaration"


def _point_for_testgrad(root: Path) -> None:
    places = root / "data" / "places.csv"
    lines = places.read_text(encoding="utf-8").splitlines()
    lines = [f"{line},{','.join(TESTGRAD_POINT)}" if line.startswith("testgrad,") else line for line in lines]
    places.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Site:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.settings = Settings(root=root, out=root / "dist", query_workers=1, query_timeout=5)
        self.release = build(self.settings)
        self.backend = EmbeddedBackend(self.settings)
        app = create_app(self.settings, self.backend)
        app.config["TESTING"] = True
        self.client = app.test_client()
        self.store = ox.Store.read_only(str(self.release.store))

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.data[:300])
        assert response.mimetype == "text/html"
        return str(response.get_data(as_text=True))

    def svg(self, path: str, chart: str) -> ET.Element:
        found = re.search(rf'<svg [^>]*aria-labelledby="{chart}-title[^"]*".*?</svg>', self.page(path), re.S)
        assert found, f"no {chart} chart on {path}"
        return ET.fromstring(found.group(0))

    def csv(self, name: str) -> list[dict[str, str]]:
        response = self.client.get(f"/download/{name}")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.mimetype_params.get("charset") == "utf-8"
        body = response.get_data()
        assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")  # RFC 4180 line ends
        return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = Site(seed_project(tmp_path_factory.mktemp("seed")))
    yield site
    site.backend.close()


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = grow(seed_project(tmp_path_factory.mktemp("grown")))
    _point_for_testgrad(root)
    site = Site(root)
    yield site
    site.backend.close()


def _links(svg: ET.Element) -> list[ET.Element]:
    return list(svg.iter(SVG + "a"))


def _muni(slug: str) -> str:
    return f"/doc/municipality/{slug}"


def _members_with_points(site: Site) -> set[str]:
    """The oracle: members (org:hasMember, as the reasoner derives it) whose place, or a city within it, has a
    lat and long in the project's data/places.csv."""
    root = site.root / "data"
    with (root / "places.csv").open(encoding="utf-8") as fh:
        places = list(csv.DictReader(fh))
    pointed = {p["slug"] for p in places if p.get("lat") and p.get("long")}
    pointed |= {p["within"] for p in places if p["slug"] in pointed and p["within"]}
    with (root / "municipalities.csv").open(encoding="utf-8") as fh:
        governs = {m["slug"]: m["place"] for m in csv.DictReader(fh)}
    members = select(site.store, "SELECT ?m WHERE { ?n org:hasMember ?m }")
    slugs = {row["m"].rsplit("/", 1)[-1] for row in members}
    return {_muni(s) for s in slugs if governs[s] in pointed}


# --- the map ---------------------------------------------------------------------------------------------


def test_the_map_has_one_linked_dot_per_member_with_a_point(seed: Site, grown: Site) -> None:
    for site in (seed, grown):
        dots = [a for a in _links(site.svg("/overview/map", "map")) if a.find(SVG + "circle") is not None]
        hrefs = [a.get("href") for a in dots]
        assert len(hrefs) == len(set(hrefs))
        assert set(hrefs) == _members_with_points(site)
        for a in dots:
            assert a.get("aria-label") and a.find(SVG + "title") is not None  # a named link
    before = {a.get("href") for a in _links(seed.svg("/overview/map", "map"))}
    after = {a.get("href") for a in _links(grown.svg("/overview/map", "map"))}
    assert after - before == {_muni("testgrad")}
    assert _muni("istanbul") in before  # a metropolitan municipality: the point of the city in its province


def test_the_map_labels_a_metropolitan_municipality_by_its_city(seed: Site) -> None:
    (istanbul,) = [a for a in _links(seed.svg("/overview/map", "map")) if a.get("href") == _muni("istanbul")]
    assert istanbul.findtext(SVG + "text") == "Istanbul"


def test_the_map_has_title_desc_outlines_and_a_table(seed: Site) -> None:
    svg = seed.svg("/overview/map", "map")
    assert svg.get("role") == "group"
    assert svg.findtext(SVG + "title") and svg.findtext(SVG + "desc")
    countries = {p.findtext(SVG + "title") for p in svg.iter(SVG + "path")}
    assert {"Greece", "Turkey", "Serbia", "Kosovo"} <= countries  # Natural Earth names
    html = seed.page("/overview/map")
    assert '<table class="data cards">' in html and 'href="/doc/place/athens"' in html


# --- the timeline ----------------------------------------------------------------------------------------


def test_the_timeline_lists_dates_in_order_with_the_additions_last(seed: Site, grown: Site) -> None:
    for site in (seed, grown):
        dates = [
            t.text for t in site.svg("/overview/timeline", "timeline").iter(SVG + "text") if t.get("class") == "date"
        ]
        assert dates == sorted(dates) and dates
    entries = [(a.get("href"), a.get("aria-label")) for a in _links(grown.svg("/overview/timeline", "timeline"))]
    old = {a.get("href") for a in _links(seed.svg("/overview/timeline", "timeline"))}
    new = [e for e in entries if e[0] not in old]
    assert new == [
        (f"/doc/declaration/{GROWTH_ID}", "Declaration, 2026-03-10: B40 Test Growth Declaration"),
        (_muni("testgrad"), "Membership, 2026-03-10: Municipality of Testgrad joined B40 Balkan Cities Network"),
    ]
    assert entries[-2:] == new  # the latest
    # the seed's events and declarations are on it, each on its own date
    labels = [e[1] for e in entries]
    assert "Event, 2021-11-29: B40 Balkan Cities Network kickoff meeting" in labels
    assert "Declaration, 2025-02-24: B40 Sofia Summit Declaration" in labels


def test_the_timeline_shows_a_member_that_left_on_its_last_day(tmp_path: Path) -> None:
    root = grow(seed_project(tmp_path))
    replace_in(root / "data" / "memberships.csv", "b40,testgrad,2026-03-10,,", "b40,testgrad,2026-03-10,2026-09-30,")
    site = Site(root)
    try:
        entries = [(a.get("href"), a.get("aria-label")) for a in _links(site.svg("/overview/timeline", "timeline"))]
        left = "Membership, 2026-09-30: Municipality of Testgrad left B40 Balkan Cities Network"
        assert entries[-1] == (_muni("testgrad"), left)
        joined = "Membership, 2026-03-10: Municipality of Testgrad joined B40 Balkan Cities Network"
        assert (_muni("testgrad"), joined) in entries
        # a member that left is not among the members by country (it is in the table of memberships)
        html = site.page("/overview/members")
        by_country = html[html.index("<h2>By country</h2>") : html.index("<h2>Memberships</h2>")]
        assert "/doc/municipality/testgrad" not in by_country and "/doc/municipality/testgrad" in html
    finally:
        site.backend.close()


# --- declarations × themes -------------------------------------------------------------------------------


def test_the_matrix_links_exactly_the_committed_declaration_theme_pairs(grown: Site) -> None:
    cells = {}
    for a in _links(grown.svg("/overview/themes", "themes")):
        found = re.fullmatch(r"/doc/declaration/([^/]+)/clause/(\d+)/commitment/([^/]+)", a.get("href") or "")
        assert found, a.get("href")
        cells[(found.group(1), found.group(3))] = int(found.group(2))
    rows = select(grown.store, "SELECT ?c WHERE { ?d b40:hasCommitment ?c }")
    expected: dict[tuple[str, str], int] = {}
    for row in rows:
        decl, position, theme = re.search(r"declaration/([^/]+)/clause/(\d+)/commitment/([^/]+)$", row["c"]).groups()  # type: ignore[union-attr]
        expected[(decl, theme)] = min(int(position), expected.get((decl, theme), 10**6))  # the first clause
    assert cells == expected
    assert (GROWTH_ID, "climate-action") in cells  # "Cooperate on climate action in our cities"


# --- members by country ----------------------------------------------------------------------------------


def _bars(site: Site) -> dict[str, int]:
    out = {}
    for a in _links(site.svg("/overview/members", "members")):
        label, count = a.get("aria-label", "").rsplit(": ", 1)
        out[label] = int(count)
        assert a.get("href", "").startswith("/doc/country/")
    return out


def test_members_by_country_counts_the_later_member(seed: Site, grown: Site) -> None:
    before, after = _bars(seed), _bars(grown)
    assert {k: after[k] - before.get(k, 0) for k in after} == {k: (1 if k == "North Macedonia" else 0) for k in after}
    members = select(seed.store, "SELECT DISTINCT ?m WHERE { ?n org:hasMember ?m }")
    assert sum(before.values()) == len(members)
    html = grown.page("/overview/members")
    assert 'href="/doc/municipality/testgrad"' in html and 'href="/doc/country/mk"' in html
    by_country = html[html.index("<h2>By country</h2>") : html.index("<h2>Memberships</h2>")]
    assert by_country.index("Çanakkale Municipality") < by_country.index("Edirne Municipality")  # by letters


# --- the CSV tables --------------------------------------------------------------------------------------


def test_the_tables_are_files_of_the_release_with_iris_and_labels(seed: Site, grown: Site) -> None:
    for name in ("members.csv", "signatures.csv", "commitments.csv"):
        assert (grown.release.path / name).is_file()
        response = grown.client.get(f"/download/{name}")
        assert response.get_data() == (grown.release.path / name).read_bytes()
        assert f'href="/download/{name}"' in grown.page("/download/")
    added = {r["municipality"] for r in grown.csv("members.csv")} - {r["municipality"] for r in seed.csv("members.csv")}
    assert added == {BASE + "id/municipality/testgrad"}
    (testgrad,) = [r for r in grown.csv("members.csv") if r["municipality"].endswith("/testgrad")]
    assert testgrad["municipality_label"] == "Municipality of Testgrad"
    assert testgrad["joined"] == "2026-03-10" and testgrad["left"] == ""
    assert testgrad["role_label"] == "Member" and testgrad["country_label"] == "North Macedonia"
    assert (testgrad["lat"], testgrad["long"]) == TESTGRAD_POINT
    assert list(testgrad) == [
        *("network", "network_label", "municipality", "municipality_label", "country", "country_label"),
        *("place", "place_label", "lat", "long", "joined", "left", "role", "role_label"),
    ]


def test_the_signatures_table_counts_a_re_signing_person_twice_and_once_as_a_person(seed: Site, grown: Site) -> None:
    before, after = seed.csv("signatures.csv"), grown.csv("signatures.csv")
    assert len(after) - len(before) == 2
    assert len({r["person"] for r in after}) - len({r["person"] for r in before}) == 1
    imamoglu = [r for r in after if r["person_name"] == "Ekrem İmamoğlu"]
    assert {r["declaration"].rsplit("/", 1)[-1] for r in imamoglu} >= {GROWTH_ID}
    assert len(imamoglu) == 1 + len([r for r in before if r["person_name"] == "Ekrem İmamoğlu"])
    new = [r for r in after if r["declaration"].endswith(GROWTH_ID)]
    assert {(r["person_name"], r["municipality_label"], r["role_label"], r["date"]) for r in new} == {
        ("Ekrem İmamoğlu", "Istanbul Metropolitan Municipality", "Mayor", "2026-03-10"),
        ("Ana Testovska", "Municipality of Testgrad", "Mayor", "2026-03-10"),
    }


def test_the_commitments_table_agrees_with_the_matrix(grown: Site) -> None:
    rows = grown.csv("commitments.csv")
    stored = select(grown.store, "SELECT ?c WHERE { ?d b40:hasCommitment ?c }")
    assert sorted(r["commitment"] for r in rows) == sorted(r["c"] for r in stored)
    climate = [r for r in rows if r["declaration"].endswith(GROWTH_ID) and r["theme"].endswith("/climate-action")]
    assert climate and climate[0]["theme_label"] == "Climate action" and climate[0]["kind"] == "tagged"
    assert climate[0]["declaration_title"] == "B40 Test Growth Declaration"


def test_an_empty_dataset_has_empty_overviews_and_header_only_tables(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    ox.Store(str(store_dir)).flush()
    settings = Settings(root=ROOT, out=tmp_path / "dist", query_workers=1)
    backend = EmbeddedBackend(settings, store_path=store_dir, tag="empty", merged=False)
    app = create_app(settings, backend)
    client = app.test_client()
    try:
        for page in ("/overview/", "/overview/map", "/overview/timeline", "/overview/themes", "/overview/members"):
            response = client.get(page)
            assert response.status_code == 200
            assert "<svg" not in response.get_data(as_text=True)
        assert "<svg" not in client.get("/").get_data(as_text=True)
        response = client.get("/download/members.csv")  # no release files: made from the data
        assert response.status_code == 200 and response.mimetype == "text/csv"
        header = "network,network_label,municipality,municipality_label,country,country_label,place,place_label,"
        assert response.get_data() == (header + "lat,long,joined,left,role,role_label\r\n").encode()
        assert client.get("/overview/nothing").status_code == 404
    finally:
        backend.close()


def test_the_home_page_has_the_compact_overview(seed: Site) -> None:
    html = seed.page("/")
    found = re.search(r'<svg [^>]*aria-labelledby="map-home-title[^"]*".*?</svg>', html, re.S)
    assert found
    hrefs = {a.get("href") for a in _links(ET.fromstring(found.group(0)))}
    assert hrefs == _members_with_points(seed)
    for page in ("map", "timeline", "themes", "members"):
        assert f'href="/overview/{page}"' in html


# --- navigation, the sitemap and the reader's language ------------------------------------------------------


def _header_links(html: str) -> set[str]:
    header = html[html.index("<header>") : html.index("</header>")]
    return set(re.findall(r'href="([^"?]*)"', header))


def test_every_page_links_the_overviews_search_sparql_and_downloads(seed: Site) -> None:
    for path in ("/", "/overview/", "/overview/map", "/doc/municipality/athens", "/search?q=athens", "/download/"):
        assert {"/overview/", "/search", "/sparql", "/download/"} <= _header_links(seed.page(path)), path
    html = seed.page("/sparql")  # the query page: its own CSP, the same header
    assert {"/overview/", "/search", "/sparql", "/download/"} <= _header_links(html)
    current = re.findall(r'<a href="([^"]*)" aria-current="page">', seed.page("/overview/timeline"))
    assert current[0] == "/overview/"  # the header marks the section the page is in


def test_robots_txt_names_the_sitemap_at_the_public_base_and_keeps_crawlers_off_queries(seed: Site) -> None:
    response = seed.client.get("/robots.txt", base_url="http://internal.example:8080/")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert f"Sitemap: {BASE}sitemap.xml" in lines  # the public base, not the request's host
    assert {"Disallow: /sparql?", "Disallow: /search?"} <= set(lines) and "Disallow: /" not in lines


def test_the_sitemap_lists_the_overview_pages(seed: Site) -> None:
    response = seed.client.get("/sitemap.xml")
    assert response.status_code == 200
    locs = [e.text or "" for e in ET.fromstring(response.data).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    paths = {loc.removeprefix(BASE.rstrip("/")) for loc in locs}
    assert {"/overview/", "/overview/map", "/overview/timeline", "/overview/themes", "/overview/members"} <= paths
    for path in paths:
        if path.startswith("/overview/"):
            assert seed.client.get(path).status_code == 200, path


def _local_names(root: Path, name: str) -> dict[str, tuple[str, str]]:
    """slug: (name_local, lang_local) of the project's municipalities or places."""
    with (root / "data" / name).open(encoding="utf-8") as fh:
        return {r["slug"]: (r["name_local"], r["lang_local"]) for r in csv.DictReader(fh)}


def test_the_overviews_show_labels_in_the_chosen_language(seed: Site) -> None:
    municipality, language = _local_names(seed.root, "municipalities.csv")["athens"]
    place, place_language = _local_names(seed.root, "places.csv")["athens"]
    assert language == place_language == "el"
    response = seed.client.get("/overview/map", query_string={"lang": "el"})
    assert response.status_code == 200 and response.headers["Content-Language"] == "el"
    assert "Accept-Language" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert '<html lang="el">' in html
    assert f'<a href="/doc/municipality/athens">{municipality}</a>' in html  # the table
    (athens,) = [a for a in _links(seed.svg("/overview/map?lang=el", "map")) if a.get("href") == _muni("athens")]
    assert athens.findtext(SVG + "text") == place and municipality in (athens.get("aria-label") or "")
    # the language switch links this page in each language, the chosen one marked
    assert re.search(r'<a href="/overview/map\?lang=el" hreflang="el" lang="el" aria-current="true">', html)
    # English, asked for or by default: the English labels; a bad tag is refused
    for english in (seed.page("/overview/map?lang=en"), seed.page("/overview/map")):
        assert '<a href="/doc/municipality/athens">City of Athens</a>' in english and municipality not in english
    assert seed.client.get("/overview/map?lang=1").status_code == 400


def _first_links(html: str, prefix: str) -> list[tuple[str, str]]:
    """(href, text) of the links to pages under `prefix`, each the first time it is linked."""
    seen: dict[str, str] = {}
    for href, text in re.findall(rf'<a href="({prefix}[^"]*)">([^<]*)</a>', html):
        seen.setdefault(href, text)
    return list(seen.items())


@pytest.mark.parametrize("language", ["en", "el", "tr", "sr-Cyrl"])
def test_overviews_and_resource_pages_list_the_members_in_one_order(seed: Site, language: str) -> None:
    """Greek, Turkish (İ and ı) and Serbian Cyrillic names in one order: the overview's table of members and the
    network's page, each in the reader's language, by `sort_key` (which tests/test_sort_order.py checks)."""
    overview = seed.page(f"/overview/map?lang={language}")
    table = _first_links(overview[overview.index('<table class="data') :], "/doc/municipality/")
    network = _first_links(seed.page(f"/doc/network/b40?lang={language}"), "/doc/municipality/")
    assert len(table) > 10
    names = [text for _, text in table]
    assert names == sorted(names, key=sort_key)
    shown = dict(network)
    assert [h for h, _ in table if h in shown] == [h for h, _ in network if h in dict(table)]
    assert all(shown[h] == text for h, text in table if h in shown)  # the same label on both
    if language != "en":  # some of the names are in the language (the seed has local names in each)
        local = _local_names(seed.root, "municipalities.csv")
        ours = {slug for slug, (_, lang) in local.items() if lang.lower() == language.lower()}
        assert ours and all(dict(table)[_muni(slug)] == local[slug][0] for slug in ours if _muni(slug) in dict(table))


# --- coordinates -----------------------------------------------------------------------------------------


def _turtle(site: Site, path: str) -> Graph:
    response = site.client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def test_coordinates_are_published_as_wgs84_and_schema_geo(grown: Site) -> None:
    with (grown.root / "data" / "places.csv").open(encoding="utf-8") as fh:
        athens = next(r for r in csv.DictReader(fh) if r["slug"] == "athens")
    for slug, lat, long in (("athens", athens["lat"], athens["long"]), ("testgrad", *TESTGRAD_POINT)):
        place = URIRef(f"{BASE}id/place/{slug}")
        g = _turtle(grown, f"/doc/place/{slug}")
        assert g.value(place, URIRef(GEO + "lat")) == Literal(lat, datatype=XSD.decimal)
        assert g.value(place, URIRef(GEO + "long")) == Literal(long, datatype=XSD.decimal)
        point = g.value(place, URIRef(SCHEMA + "geo"))
        assert point == URIRef(f"{place}/geo")
        p = _turtle(grown, f"/doc/place/{slug}/geo")
        assert p.value(point, URIRef(SCHEMA + "latitude")) == Literal(lat, datatype=XSD.decimal)
        assert (
            point,
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef(SCHEMA + "GeoCoordinates"),
        ) in p
    athens_point = URIRef(f"{BASE}id/place/athens/geo")
    sources = set(
        _turtle(grown, "/doc/place/athens/geo").objects(athens_point, URIRef("http://purl.org/dc/terms/source"))
    )
    assert sources == {URIRef(f"https://sws.geonames.org/{athens['geonames']}/")}


def test_the_curated_coordinates_agree_with_geonames() -> None:
    """data/places.csv's lat/long are GeoNames' for each city's confirmed GeoNames id (scripts/geocode)."""
    assert geocode.disagreements(ROOT / "data" / "places.csv") == []
    with (ROOT / "data" / "places.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["slug"] for r in rows if r["lat"]} >= {"athens", "belgrade", "istanbul", "sofia"}  # present
    assert all(r["geonames"] for r in rows if r["lat"])  # every point has its GeoNames source


def test_geocode_names_the_file_and_line_of_a_wrong_id_name_or_value(tmp_path: Path) -> None:
    places = tmp_path / "places.csv"
    text = (ROOT / "data" / "places.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    athens = next(i for i, line in enumerate(lines) if line.startswith("athens,"))
    sofia = next(i for i, line in enumerate(lines) if line.startswith("sofia,"))
    split = next(i for i, line in enumerate(lines) if line.startswith("split,"))
    lines[athens] = lines[athens].replace(",264371,", ",792680,")  # Belgrade's id
    lines[sofia] = lines[sofia].replace(",727011,", ",999999999,")  # no such city
    lines[split] = re.sub(r",[0-9.]+$", ",16.5", lines[split])  # a longitude that is not GeoNames'
    places.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = {(p.line, p.message.split(" ")[-1]) for p in geocode.disagreements(places)}
    messages = [str(p) for p in geocode.disagreements(places)]
    assert {line for line, _ in problems} == {athens + 1, sofia + 1, split + 1}
    assert any(f"places.csv:{athens + 1}: GeoNames 792680" in m and "'Belgrade', not 'Athens'" in m for m in messages)
    assert any(f"places.csv:{sofia + 1}: GeoNames 999999999" in m and "not a city" in m for m in messages)
    assert geocode.write(places)  # refuses to write while GeoNames disagrees
    assert places.read_text(encoding="utf-8").splitlines()[athens].count("792680") == 1


@pytest.mark.parametrize(
    ("lat", "long", "message"),
    [("95", "20", "'95' in column 'lat' is not a lat from -90 to 90"), ("41.5", "", "the column 'long' is empty")],
)
def test_bad_coordinates_are_refused_with_file_and_line(tmp_path: Path, lat: str, long: str, message: str) -> None:
    root = seed_project(tmp_path / "p")
    places = root / "data" / "places.csv"
    lines = places.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("sofia,"))
    lines[number] = re.sub(r",[^,]*,[^,]*$", f",{lat},{long}", lines[number])
    places.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_reference(root / "data", BASE)
    (problem,) = err.value.problems
    assert problem.file == places and problem.line == number + 1
    assert message in problem.message
