"""Curated reference data in data/: countries, places, municipalities, events (CSV), network and themes (Turtle),
and the members that joined a network later (memberships.csv, optional).

The loader mints IRIs under the configured base, keeps the file and line of every row (for error
messages), and resolves the municipality names printed in declarations ("On behalf of City of Durres").
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from b40graph.core.errors import DataError, Problem, Problems
from b40graph.core.rdfio import canonical
from b40graph.core.text import ascii_fold

# Words that name the kind of local government, not which one.
_NOISE = {"city", "of", "the", "municipality", "metropolitan", "capital", "municipal", "council"}

Origin = tuple[Path, int]


def core(name: str) -> str:
    """The identifying part of a municipality or place name, ASCII-folded: 'City of Constanța' -> 'constanta'."""
    words = re.findall(r"[a-z0-9]+", ascii_fold(name).lower())
    return "-".join(w for w in words if w not in _NOISE)


@dataclass
class Row:
    values: dict[str, str]
    origin: Origin

    def __getitem__(self, key: str) -> str:
        return (self.values.get(key) or "").strip()


@dataclass
class Theme:
    iri: URIRef
    slug: str
    labels: list[Literal]  # prefLabel and altLabels that the tagger matches


@dataclass
class Reference:
    countries: dict[str, Row] = field(default_factory=dict)
    places: dict[str, Row] = field(default_factory=dict)
    municipalities: dict[str, Row] = field(default_factory=dict)
    events: dict[str, Row] = field(default_factory=dict)
    network: Graph = field(default_factory=Graph)
    themes_graph: Graph = field(default_factory=Graph)
    themes: list[Theme] = field(default_factory=list)
    network_slugs: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    memberships: list[Row] = field(default_factory=list)  # rows of memberships.csv, checked (see MEMBERSHIPS)
    memberships_file: Path | None = None  # None when data/ has no memberships.csv
    _keys: dict[str, str] = field(default_factory=dict)

    def resolve_municipality(self, printed: str) -> str | None:
        return self._keys.get(core(printed))

    def suggest_municipality(self, printed: str) -> list[str]:
        close = difflib.get_close_matches(core(printed), list(self._keys), n=3, cutoff=0.6)
        return sorted({self._keys[c] for c in close})

    def theme_by_label(self, label: str) -> Theme | None:
        wanted = ascii_fold(label).lower().strip()
        for theme in self.themes:
            if theme.slug == wanted or any(ascii_fold(str(lab)).lower() == wanted for lab in theme.labels):
                return theme
        return None


def _too_many_values(values: dict[str | None, object], columns: int, path: Path, line: int, problems: Problems) -> None:
    """A row with more values than the header has columns (csv gives the rest under the key None): an
    unquoted comma inside a value, never a value to drop in silence."""
    rest = values.get(None)
    if isinstance(rest, list):
        problems.add(
            f"the row has {columns + len(rest)} values, the header {columns} columns",
            path,
            line,
            'quote a value that holds a comma ("…, …"), separate aliases with |, or remove the extra values',
        )


def _read_csv(path: Path, key: str, required: tuple[str, ...], problems: Problems) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        problems.add(f"cannot read reference data: {err}", path, fix="the file must exist and be UTF-8 CSV")
        return rows
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in (key, *required) if c not in (reader.fieldnames or [])]
    if missing:
        problems.add(
            f"missing column(s) {', '.join(missing)}", path, 1, f"the header must include {key}, {', '.join(required)}"
        )
        return rows
    for values in reader:
        _too_many_values(values, len(reader.fieldnames or ()), path, reader.line_num, problems)
        row = Row(values, (path, reader.line_num))
        ident = row[key]
        for col in (key, *required):
            if not row[col]:
                problems.add(f"the column '{col}' is empty", path, reader.line_num, f"fill in '{col}' for this row")
        if ident in rows:
            problems.add(
                f"'{ident}' is listed twice (first on line {rows[ident].origin[1]})",
                path,
                reader.line_num,
                "remove or rename one of the rows",
            )
        rows[ident] = row
    return rows


def _read_turtle(path: Path, base: str, problems: Problems) -> Graph:
    graph = Graph()
    if not path.is_file():
        problems.add("the reference data file is missing", path, fix=f"create {path.name} (see docs/model.md)")
        return graph
    try:
        graph.parse(path, format="turtle", publicID=base)
    except Exception as err:  # noqa: BLE001 - rdflib raises many parser exception types
        match = re.search(r"line (\d+)", str(err))
        problems.add(
            f"the Turtle does not parse: {err}",
            path,
            int(match.group(1)) if match else None,
            "fix the syntax at that line",
        )
    return canonical(graph)


def _check_date(row: Row, col: str, problems: Problems) -> None:
    if row[col]:
        try:
            dt.date.fromisoformat(row[col])
        except ValueError:
            problems.add(f"'{row[col]}' in column '{col}' is not a date", *row.origin, "write YYYY-MM-DD")


def _check_point(row: Row, problems: Problems) -> None:
    """A place's `lat` and `long` (optional columns): both or neither, decimal degrees in WGS84's ranges."""
    if not row["lat"] and not row["long"]:
        return
    fix = "write both lat and long in decimal degrees (scripts/geocode --write takes them from GeoNames)"
    for col, limit in (("lat", 90), ("long", 180)):
        if not row[col]:
            problems.add(f"the column '{col}' is empty, but the other coordinate is given", *row.origin, fix)
            continue
        try:
            value = float(row[col])
        except ValueError:
            problems.add(f"'{row[col]}' in column '{col}' is not a number", *row.origin, fix)
            continue
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", row[col]) or abs(value) > limit:
            problems.add(f"'{row[col]}' in column '{col}' is not a {col} from -{limit} to {limit}", *row.origin, fix)


def load_reference(data_dir: Path, base: str) -> Reference:
    problems = Problems()
    ref = Reference()
    f = ref.files
    f.update({n: data_dir / f"{n}.csv" for n in ("countries", "places", "municipalities", "events")})
    f.update({"network": data_dir / "network.ttl", "themes": data_dir / "themes.ttl"})
    ref.countries = _read_csv(f["countries"], "code", ("name_en",), problems)
    ref.places = _read_csv(f["places"], "slug", ("type", "name_en", "country"), problems)
    ref.municipalities = _read_csv(f["municipalities"], "slug", ("name_en", "place"), problems)
    ref.events = _read_csv(f["events"], "slug", ("name_en", "start"), problems)
    ref.network = _read_turtle(f["network"], base, problems)
    ref.themes_graph = _read_turtle(f["themes"], base, problems)
    problems.raise_if_any()

    _check_places(ref, problems)
    _read_networks(ref, problems)
    _check_events(ref, problems)
    _read_themes(ref, problems)
    _index_names(ref, problems)
    _read_memberships(data_dir / "memberships.csv", ref, problems)
    problems.raise_if_any()
    return ref


def _check_places(ref: Reference, problems: Problems) -> None:
    """Every place in a known country, within a known place, of a known type; every municipality's place known."""
    for slug, row in ref.places.items():
        if row["country"] not in ref.countries:
            problems.add(
                f"place '{slug}' names country '{row['country']}', which is not in countries.csv",
                *row.origin,
                f"use one of: {', '.join(sorted(ref.countries))}, or add the country",
            )
        if row["within"] and row["within"] not in ref.places:
            problems.add(f"place '{slug}' is within '{row['within']}', which is not in places.csv", *row.origin)
        if row["type"] not in ("City", "AdministrativeArea"):
            problems.add(f"place type '{row['type']}' is unknown", *row.origin, "use City or AdministrativeArea")
        _check_point(row, problems)
    for slug, row in ref.municipalities.items():
        if row["place"] not in ref.places:
            problems.add(
                f"municipality '{slug}' governs place '{row['place']}', which is not in places.csv",
                *row.origin,
                "add the place to data/places.csv or correct the slug",
            )


def _read_networks(ref: Reference, problems: Problems) -> None:
    """The slugs of the networks data/network.ttl describes (at least one)."""
    network_iris = sorted(
        str(s) for s in ref.network.subjects(RDF.type, URIRef("https://w3id.org/b40/ontology#Network"))
    )
    ref.network_slugs = [iri.rsplit("/", 1)[-1] for iri in network_iris]
    if not ref.network_slugs:
        problems.add(
            "no b40:Network is described",
            ref.files["network"],
            1,
            "describe the network as <id/network/SLUG> a b40:Network",
        )


def _check_events(ref: Reference, problems: Problems) -> None:
    for slug, row in ref.events.items():
        _check_date(row, "start", problems)
        _check_date(row, "end", problems)
        if row["place"] and row["place"] not in ref.places:
            problems.add(f"event '{slug}' takes place in '{row['place']}', not in places.csv", *row.origin)
        if row["organizer"] and row["organizer"] not in ref.municipalities:
            problems.add(f"event '{slug}' is organised by '{row['organizer']}', not in municipalities.csv", *row.origin)
        if row["founded_network"] and row["founded_network"] not in ref.network_slugs:
            problems.add(
                f"event '{slug}' founded network '{row['founded_network']}', which network.ttl does not describe",
                *row.origin,
            )


def _read_themes(ref: Reference, problems: Problems) -> None:
    """The concepts of the theme scheme, each with its labels, longest first."""
    for concept in sorted(str(c) for c in ref.themes_graph.subjects(RDF.type, SKOS.Concept)):
        node = URIRef(concept)
        found = [o for p in (SKOS.prefLabel, SKOS.altLabel) for o in ref.themes_graph.objects(node, p)]
        labels = sorted((lab for lab in found if isinstance(lab, Literal)), key=lambda x: (-len(str(x)), str(x)))
        ref.themes.append(Theme(node, concept.rstrip("/").rsplit("/", 1)[-1], labels))
    if not ref.themes:
        problems.add("the theme scheme has no skos:Concept", ref.files["themes"], 1)


def _index_names(ref: Reference, problems: Problems) -> None:
    """Every name a municipality may be printed under (its names, aliases, its place's names) -> its slug; a
    name that could mean two municipalities is refused."""
    for slug, row in ref.municipalities.items():
        place = ref.places.get(row["place"])
        names = [slug, row["name_en"], row["name_local"], *row["aliases"].split("|")]
        if place is not None:
            names += [place["name_en"], place["name_local"]]
            if place["type"] == "AdministrativeArea":  # a metropolitan municipality is named after its city
                names += [p["name_en"] for p in ref.places.values() if p["within"] == row["place"]]
        for name in names:
            key = core(name)
            if key and ref._keys.setdefault(key, slug) != slug:
                problems.add(
                    f"the name '{name}' could mean '{ref._keys[key]}' or '{slug}'",
                    *row.origin,
                    "give the municipalities names that tell them apart",
                )


MEMBERSHIP_COLUMNS = ("network", "municipality", "joined", "left", "basis")


def _date(row: Row, col: str, problems: Problems) -> dt.date | None:
    try:
        return dt.date.fromisoformat(row[col])
    except ValueError:
        problems.add(f"'{row[col]}' in column '{col}' is not a date", *row.origin, "write YYYY-MM-DD, e.g. 2026-03-01")
        return None


def _read_memberships(path: Path, ref: Reference, problems: Problems) -> None:
    """data/memberships.csv: one row per member that did not join by signing a founding declaration."""
    if not path.is_file():
        return
    ref.memberships_file = path
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        problems.add(f"cannot read the memberships: {err}", path, fix="the file must be UTF-8 CSV")
        return
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in MEMBERSHIP_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        problems.add(
            f"missing column(s) {', '.join(missing)}", path, 1, f"the header must be {','.join(MEMBERSHIP_COLUMNS)}"
        )
        return
    seen: dict[tuple[str, str], int] = {}
    for values in reader:
        _too_many_values(values, len(reader.fieldnames or ()), path, reader.line_num, problems)
        row = Row(values, (path, reader.line_num))
        bad = False
        for col in ("network", "municipality", "joined", "basis"):
            if not row[col]:
                problems.add(f"the column '{col}' is empty", *row.origin, f"fill in '{col}' for this row")
                bad = True
        if row["network"] and row["network"] not in ref.network_slugs:
            problems.add(
                f"network '{row['network']}' is not described in data/network.ttl",
                *row.origin,
                f"use one of: {', '.join(ref.network_slugs)}",
            )
            bad = True
        if row["municipality"] and row["municipality"] not in ref.municipalities:
            close = difflib.get_close_matches(row["municipality"], list(ref.municipalities), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            problems.add(
                f"municipality '{row['municipality']}' is not in data/municipalities.csv{hint}",
                *row.origin,
                "use the slug of its row in data/municipalities.csv, or add the municipality there",
            )
            bad = True
        joined = _date(row, "joined", problems) if row["joined"] else None
        left = _date(row, "left", problems) if row["left"] else None
        if joined is not None and left is not None and left < joined:
            problems.add(f"the member left ({left}) before it joined ({joined})", *row.origin, "check the two dates")
            bad = True
        key = (row["network"], row["municipality"])
        if key in seen:
            problems.add(
                f"'{row['municipality']}' is listed twice as a member of '{row['network']}' "
                f"(first on line {seen[key]})",
                *row.origin,
                "give each member one row",
            )
            bad = True
        seen.setdefault(key, reader.line_num)
        if not bad and joined is not None and (left is not None or not row["left"]):
            ref.memberships.append(row)


def locate_in_file(path: Path, needle: str) -> int | None:
    """The first line of a file that contains `needle` (used to point at Turtle and CSV rows)."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle in line:
                return number
    except OSError:
        return None
    return None


__all__ = ["DataError", "Problem", "Reference", "Theme", "core", "load_reference", "locate_in_file"]
