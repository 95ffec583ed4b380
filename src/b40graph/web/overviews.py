"""Overviews of the network: a map of the members, a timeline, declarations × themes, members by country;
each on its page under /overview/ with the table it is drawn from, and a compact one on the home page.

The facts come through the Backend with fixed queries (store.tables and the two below), so any network
works; the labels are the reader's language's (`?lang=` or Accept-Language, as on resource pages), English
where a thing has none; a page is made once per dataset version and language (the document cache). The CSV
tables are the release's files (written by the build, store.tables); a backend without them (a remote
endpoint, a --dataset store) gets them made on request from the same queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup

from b40graph.core.formats import HTML
from b40graph.core.text import sort_key
from b40graph.store import tables
from b40graph.store.backend import Version
from b40graph.store.resource import best_label
from b40graph.web import pages, svg
from b40graph.web.errors import ApiError
from b40graph.web.http import backend, finish, local_url, same_release, send_ranged

bp = Blueprint("overviews", __name__)
CSV_TYPE = "text/csv; charset=utf-8; header=present"

DECLARATIONS = (
    tables.PREFIXES
    + """SELECT ?declaration ?title ?issued WHERE {
  ?declaration a b40:Declaration .
  OPTIONAL { ?declaration dct:title ?title }
  OPTIONAL { ?declaration dct:issued ?issued }
} ORDER BY ?issued ?declaration ?title"""
)
EVENTS = (
    tables.PREFIXES
    + """SELECT ?event ?label ?start WHERE {
  ?event a b40:Event ; schema:startDate ?start .
  OPTIONAL { ?event rdfs:label ?label FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) }
} ORDER BY ?start ?event ?label"""
)
PAGES = {
    "map": "Map of the members",
    "timeline": "Timeline",
    "themes": "Declarations and themes",
    "members": "Members by country",
}


@dataclass
class Facts:
    members: list[tables.Row]
    signatures: list[tables.Row]
    commitments: list[tables.Row]
    declarations: list[dict[str, str]]
    events: list[dict[str, str]]


def _href(iri: str) -> str:
    return local_url(iri) or iri


def _first_per(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(row[key], row)
    return list(seen.values())


def facts() -> Facts:
    select = backend().select

    def plain(query: str, key: str) -> list[dict[str, str]]:
        rows = [{k: v.value for k, v in r.items()} for r in select(query, {})]
        return _first_per(rows, key)

    return Facts(
        members=tables.rows(tables.TABLES[0], select),
        signatures=tables.rows(tables.TABLES[1], select),
        commitments=tables.rows(tables.TABLES[2], select),
        declarations=plain(DECLARATIONS, "declaration"),
        events=plain(EVENTS, "event"),
    )


#: The label columns of the tables, each with the column of the thing it names.
LABELLED = {
    "members": (("network", "network_label"), ("municipality", "municipality_label"), ("country", "country_label"))
    + (("place", "place_label"), ("at", "at_label"), ("role", "role_label")),
    "signatures": (("municipality", "municipality_label"), ("role", "role_label")),
    "commitments": (("theme", "theme_label"),),
    "events": (("event", "label"),),
}


def relabel(f: Facts, language: str) -> Facts:
    """The facts with every thing's label in `language` where it has one (the tables' English otherwise),
    looked up in one request, as resource pages label things (store.resource.best_label)."""
    if language == pages.DEFAULT_LANGUAGE:
        return f
    tables_of = {"members": f.members, "signatures": f.signatures, "commitments": f.commitments, "events": f.events}
    iris = {r[key] for name, rows in tables_of.items() for r in rows for key, _ in LABELLED[name] if r.get(key)}
    found = backend().labels(sorted(iris))

    def shown(row: dict[str, str], key: str, column: str) -> str:
        return best_label(found.get(row.get(key, ""), []), language) or row.get(column, "")

    out = {
        name: [{**r, **{column: shown(r, key, column) for key, column in LABELLED[name]}} for r in rows]
        for name, rows in tables_of.items()
    }
    return Facts(out["members"], out["signatures"], out["commitments"], f.declarations, out["events"])


def current_members(f: Facts) -> list[tables.Row]:
    """One row per municipality that is a member of a network and has not left, by label."""
    rows = [m for m in f.members if not m["left"]]
    return sorted(
        _first_per(rows, "municipality"), key=lambda m: _by_name(m["municipality_label"] or m["municipality"])
    )


def _by_name(label: str) -> tuple[str, str]:
    """Names sorted as every list is (`sort_key`): Çanakkale with the C's, Αθήνα by its Greek letters."""
    return sort_key(label)


def dots(f: Facts) -> list[svg.Dot]:
    out = []
    for m in current_members(f):
        if m["lat"] and m["long"]:
            label = m.get("at_label") or m["place_label"] or m["municipality_label"]
            name = m["municipality_label"] or m["municipality"]
            if m["country_label"]:
                name += f" ({m['country_label']})"
            out.append(svg.Dot(float(m["lat"]), float(m["long"]), label, name, _href(m["municipality"])))
    return out


def timeline(f: Facts) -> list[svg.Entry]:
    entries = [svg.Entry(e["start"], "event", e.get("label") or e["event"], _href(e["event"])) for e in f.events]
    entries += [
        svg.Entry(d["issued"], "declaration", d.get("title") or d["declaration"], _href(d["declaration"]))
        for d in f.declarations
        if d.get("issued")
    ]
    joined: dict[tuple[str, str], list[tables.Row]] = defaultdict(list)
    for m in f.members:
        joined[(m["joined"], m["network"])].append(m)
    for (date, _), rows in joined.items():
        network = rows[0]["network_label"] or rows[0]["network"]
        if len(rows) == 1:
            who = rows[0]["municipality_label"] or rows[0]["municipality"]
            entries.append(svg.Entry(date, "membership", f"{who} joined {network}", _href(rows[0]["municipality"])))
        else:
            label = f"{len(rows)} municipalities joined {network}"
            entries.append(svg.Entry(date, "membership", label, f"/overview/members#joined-{date}"))
    for m in f.members:  # a member that left: its last day, on the line of its own
        if m["left"]:
            who = m["municipality_label"] or m["municipality"]
            network = m["network_label"] or m["network"]
            entries.append(svg.Entry(m["left"], "membership", f"{who} left {network}", _href(m["municipality"])))
    order = {"event": 0, "declaration": 1, "membership": 2}
    return sorted(entries, key=lambda e: (e.date, order[e.kind], e.label))


def matrix(f: Facts) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[tuple[str, str], tuple[str, str]]]:
    rows = [(d["declaration"], d.get("title") or d["declaration"]) for d in f.declarations]
    themes = {c["theme"]: c["theme_label"] or c["theme"] for c in f.commitments}
    columns = sorted(themes.items(), key=lambda t: (*_by_name(t[1]), t[0]))
    clauses: dict[tuple[str, str], list[tables.Row]] = defaultdict(list)
    for c in f.commitments:
        clauses[(c["declaration"], c["theme"])].append(c)
    titles = dict(rows)
    cells = {}
    for (decl, theme), found in clauses.items():
        found.sort(key=lambda c: int(c["clause_position"] or 0))
        positions = ", ".join(c["clause_position"] for c in found)
        name = f"{titles.get(decl, decl)} commits to {themes[theme]} (clause {positions})"
        cells[(decl, theme)] = (_href(found[0]["commitment"]), name)
    return rows, columns, cells


def by_country(f: Facts) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for m in current_members(f):
        key = m["country"] or ""
        group = groups.setdefault(key, {"country": key, "label": m["country_label"] or key or "(no country)"})
        group.setdefault("members", []).append(m)
    return sorted(groups.values(), key=lambda g: (-len(g["members"]), *_by_name(g["label"])))


def charts(f: Facts, compact: bool = False) -> dict[str, Markup]:
    suffix = "-home" if compact else ""
    found = dots(f)
    out: dict[str, Markup] = {}
    if found:
        desc = f"{len(found)} member municipalities on a map of the region; each dot links to its page."
        out["map"] = svg.map_svg(
            found, "map" + suffix, "Member municipalities", desc, width=520 if compact else 860, labels=not compact
        )
    if compact:
        return out
    entries = timeline(f)
    if entries:
        desc = "Events, declarations and memberships in date order; each entry links to its page."
        out["timeline"] = svg.timeline_svg(entries, "timeline", "Timeline", desc)
    rows, columns, cells = matrix(f)
    if rows and columns:
        desc = "Declarations (rows) and the themes they commit to (columns); a dot links to the commitment."
        out["themes"] = svg.matrix_svg(rows, columns, cells, "themes", "Declarations and themes", desc)
    groups = by_country(f)
    if groups:
        bars = [svg.Bar(g["label"], len(g["members"]), _href(g["country"]) if g["country"] else "") for g in groups]
        desc = "The number of member municipalities in each country; each bar links to the country's page."
        out["members"] = svg.bars_svg(bars, "members", "Members by country", desc)
    return out


def _page(name: str) -> Response:
    if name not in PAGES and name != "index":
        raise ApiError(404, f"no overview is called '{name}'; see /overview/", "not-found")

    language = pages.lang()

    def make(version: Version) -> bytes:
        def render() -> bytes:
            f = relabel(facts(), language)
            title = PAGES.get(name, "Overview of the network")
            context = {
                "title": title,
                "page": name,
                "pages": PAGES,
                "charts": charts(f),
                "facts": f,
                "members": current_members(f),
                "groups": by_country(f),
                "entries": timeline(f),
                "matrix": matrix(f),
                "tables": tables.TABLES,
                "href": _href,
                "page_lang": language,
                "lang_path": request.path,
            }
            return render_template(f"overview_{name}.html", **context).encode("utf-8")

        key = (version.tag, "overview", name, language)
        return current_app.config["B40_DOC_CACHE"].get_or_make(key, render)  # type: ignore[no-any-return]

    version, body = same_release(make)
    return finish(Response(body, content_type=HTML.content_type), version, HTML, vary=False, language=language)


@bp.route("/overview/", methods=["GET", "HEAD"])
def index() -> Response:
    return _page("index")


@bp.route("/overview/<name>", methods=["GET", "HEAD"])
def overview(name: str) -> Response:
    return _page(name)


@bp.app_template_global()
def home_overview() -> dict[str, Any]:
    """What the home page's overview block shows: the small map, counts, links (made per dataset version)."""
    version = backend().version()

    def make() -> tuple[bytes, dict[str, Any]]:
        f = facts()
        found = charts(f, compact=True)
        summary = {
            "map": found.get("map", Markup("")),
            "members": len(current_members(f)),
            "countries": len(by_country(f)),
            "declarations": len(f.declarations),
            "signatures": len(f.signatures),
            "pages": PAGES,
        }
        return str(summary["map"]).encode("utf-8"), summary

    return current_app.config["B40_DOC_CACHE"].get_or_make((version.tag, "overview", "home"), make)[1]  # type: ignore[no-any-return]


def table_download(name: str) -> Response | None:
    """A table the release has no file of (a remote endpoint's data, an older release), made on request;
    None when the release has it (the download view sends it, as every file of the release)."""
    table = tables.BY_FILE[name]
    folder = backend().dumps()
    if folder is not None and (folder / name).is_file():
        return None

    def make(_: Version) -> bytes:
        return tables.to_csv(table, tables.rows(table, backend().select))

    version, body = same_release(make)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return send_ranged(body, f"{version.tag}-{table.name}-csv", version.modified, CSV_TYPE, headers)
