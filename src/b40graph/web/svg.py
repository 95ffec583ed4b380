"""Server-rendered SVG charts: a map, a timeline, a matrix and bars, for the overview pages and for the query
page's results (`result_bars`, `result_map`: a SELECT result of that shape, else None).

Pure functions of plain data (no Flask, no store): each returns the `<svg>` as Markup, every piece of data
escaped. Each chart is readable without JavaScript and in print (dark strokes, text in the picture), has a
<title> and <desc> it is labelled by, and links every mark to a page, each link named (aria-label); the
pages put a table with the same facts beside each chart.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

OUTLINES = Path(__file__).parent / "overview_data" / "outlines.json"
FONT = 'font-family="system-ui,sans-serif"'


@dataclass(frozen=True)
class Dot:
    lat: float
    long: float
    label: str  # shown beside the dot
    name: str  # the link's accessible name
    href: str


@dataclass(frozen=True)
class Entry:
    date: str
    kind: str  # "event", "declaration" or "membership"
    label: str
    href: str


@dataclass(frozen=True)
class Bar:
    label: str
    count: float
    href: str
    shown: str = ""  # the count as written (a query result's literal); else the count itself

    @property
    def text(self) -> str:
        return self.shown or f"{self.count:g}"


def _open(chart_id: str, width: float, height: float, title: str, desc: str) -> str:
    ids = f"{escape(chart_id)}-title {escape(chart_id)}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="group" aria-labelledby="{ids}" '
        f'style="max-width:100%;height:auto" {FONT} font-size="13">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )


def _markup(parts: list[str]) -> Markup:
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value of the data in `parts` went through escape()


def _link(href: str, name: str, inner: str) -> str:
    """A mark linked to its page and named; a mark without a page is a group named by its title."""
    if not href:
        return f"<g><title>{escape(name)}</title>{inner}</g>"
    return f'<a href="{escape(href)}" aria-label="{escape(name)}"><title>{escape(name)}</title>{inner}</a>'


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


@cache
def outlines() -> dict[str, Any]:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _bounds(dots: Sequence[Dot]) -> tuple[float, float, float, float]:
    """West, south, east, north around the dots, with a margin and at least 6 x 4 degrees."""
    west, east = min(d.long for d in dots), max(d.long for d in dots)
    south, north = min(d.lat for d in dots), max(d.lat for d in dots)
    cx, cy = (west + east) / 2, (south + north) / 2
    half_w, half_h = max((east - west) / 2 + 1.8, 3.0), max((north - south) / 2 + 0.9, 2.0)
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def in_region(dots: Sequence[Dot]) -> bool:
    """Whether every dot is inside the box the outlines were clipped to (outside it they would show a cut)."""
    west, south, east, north = outlines()["box"]
    return all(west <= d.long <= east and south <= d.lat <= north for d in dots)


def map_svg(dots: Sequence[Dot], chart_id: str, title: str, desc: str, width: int = 860, labels: bool = True) -> Markup:
    """Dots in an equirectangular projection scaled at the map's middle latitude, on the countries' outlines
    when every dot is in their region."""
    west, south, east, north = _bounds(dots)
    kx = math.cos(math.radians((south + north) / 2))
    scale = width / ((east - west) * kx)
    height = (north - south) * scale

    def xy(long: float, lat: float) -> tuple[float, float]:
        return (long - west) * kx * scale, (north - lat) * scale

    parts = [_open(chart_id, width, height, title, desc)]
    parts.append(f'<rect width="{width}" height="{height:.0f}" fill="#eef4fb"/>')
    parts.append('<g fill="#ffffff" stroke="#7b8594" stroke-width="0.8" fill-rule="evenodd">')
    for country in outlines()["countries"] if in_region(dots) else ():
        path = []
        for ring in country["rings"]:
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            if max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north:
                continue
            points = " ".join("{:.1f},{:.1f}".format(*xy(p[0], p[1])) for p in ring)
            path.append(f"M{points}Z")
        if path:
            parts.append(f'<path d="{"".join(path)}"><title>{escape(country["name"])}</title></path>')
    parts.append("</g>")
    placed: list[tuple[float, float, float, float]] = [
        (x - 5, y - 5, x + 5, y + 5) for x, y in (xy(d.long, d.lat) for d in dots)
    ]
    for dot in sorted(dots, key=lambda d: (-d.lat, d.long, d.href)):
        x, y = xy(dot.long, dot.lat)
        inner = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#1d4ed8" stroke="#0b1a3a" stroke-width="1.2"/>'
        if labels:
            tx, ty, anchor = _place_label(x, y, dot.label, placed, width, height)
            inner += (
                f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" fill="#111" stroke="#fff" '
                f'stroke-width="3" paint-order="stroke">{escape(dot.label)}</text>'
            )
        parts.append(_link(dot.href, dot.name, inner))
    return _markup(parts)


def _place_label(
    x: float, y: float, text: str, placed: list[tuple[float, float, float, float]], width: float, height: float
) -> tuple[float, float, str]:
    """The first of right, left, above, below where the label overlaps no dot or label placed before."""
    w, h = len(text) * 7.2, 13.0
    options = (
        (x + 8, y + 4, "start", (x + 8, y - 9, x + 8 + w, y + 4)),
        (x - 8, y + 4, "end", (x - 8 - w, y - 9, x - 8, y + 4)),
        (x, y - 9, "middle", (x - w / 2, y - 9 - h, x + w / 2, y - 9)),
        (x, y + 18, "middle", (x - w / 2, y + 5, x + w / 2, y + 18)),
    )
    for tx, ty, anchor, box in options:
        inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
        if inside and not any(_overlap(box, other) for other in placed):
            placed.append(box)
            return tx, ty, anchor
    tx, ty, anchor, box = options[0] if x < width - w - 10 else options[1]
    placed.append(box)
    return tx, ty, anchor


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


MARKS = {
    "event": '<circle cx="{x}" cy="{y}" r="6" fill="#b45309"/>',
    "declaration": '<rect x="{x0}" y="{y0}" width="12" height="12" fill="#1d4ed8"/>',
    "membership": '<path d="M{x},{y0} l6,6 l-6,6 l-6,-6 z" fill="#047857"/>',
}
KIND_NAMES = {"event": "Event", "declaration": "Declaration", "membership": "Membership"}


def timeline_svg(entries: Sequence[Entry], chart_id: str, title: str, desc: str, width: int = 860) -> Markup:
    """The entries top to bottom in date order, a year heading wherever the year changes."""
    row, axis = 26, 112
    years = len({e.date[:4] for e in entries})
    height = 20 + row * (len(entries) + years)
    parts = [_open(chart_id, width, height, title, desc)]
    parts.append(f'<line x1="{axis}" y1="8" x2="{axis}" y2="{height - 8}" stroke="#94a3b8" stroke-width="2"/>')
    y, year = 10, ""
    for entry in entries:
        if entry.date[:4] != year:
            year = entry.date[:4]
            y += row
            parts.append(f'<text x="0" y="{y}" font-weight="bold" font-size="15">{escape(year)}</text>')
        y += row
        mark = MARKS[entry.kind].format(x=axis, y=y - 4, x0=axis - 6, y0=y - 10)
        name = f"{KIND_NAMES[entry.kind]}, {entry.date}: {entry.label}"
        parts.append(f'<text x="0" y="{y}" class="date" fill="#334155">{escape(entry.date)}</text>')
        text = f'<text x="{axis + 14}" y="{y}" fill="#111">{escape(_cut(entry.label, 95))}</text>'
        parts.append(_link(entry.href, name, mark + text))
    return _markup(parts)


def matrix_svg(
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    cells: dict[tuple[str, str], tuple[str, str]],
    chart_id: str,
    title: str,
    desc: str,
) -> Markup:
    """Rows (key, label) × columns (key, label); a linked dot where `cells` has (href, name) for the pair."""
    cell, left, top = 30, 330, 170
    width, height = left + cell * len(columns) + 160, top + cell * len(rows) + 10
    parts = [_open(chart_id, width, height, title, desc)]
    for j, (_, label) in enumerate(columns):
        cx = left + j * cell + cell / 2
        at = f"translate({cx + 4:.0f},{top - 8}) rotate(-45)"
        parts.append(f'<text transform="{at}" fill="#111">{escape(_cut(label, 24))}</text>')
    for i, (row_key, label) in enumerate(rows):
        y = top + i * cell
        parts.append(f'<text x="0" y="{y + cell / 2 + 4:.0f}" fill="#111">{escape(_cut(label, 46))}</text>')
        for j, (col_key, _) in enumerate(columns):
            x = left + j * cell
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="#f8fafc" stroke="#cbd5e1"/>')
            found = cells.get((row_key, col_key))
            if found is not None:
                dot = f'<circle cx="{x + cell / 2:.0f}" cy="{y + cell / 2:.0f}" r="9" fill="#1d4ed8" stroke="#0b1a3a"/>'
                parts.append(_link(found[0], found[1], dot))
    return _markup(parts)


def bars_svg(bars: Sequence[Bar], chart_id: str, title: str, desc: str, width: int = 860) -> Markup:
    """One horizontal bar per item, its count written after it."""
    row, left = 28, 230
    most = max((b.count for b in bars), default=1) or 1
    height = row * len(bars) + 10
    parts = [_open(chart_id, width, height, title, desc)]
    for i, bar in enumerate(bars):
        y = 5 + i * row
        length = (width - left - 60) * bar.count / most
        inner = (
            f'<text x="0" y="{y + 17}" fill="#111">{escape(_cut(bar.label, 30))}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" fill="#1d4ed8"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 17}" fill="#111" class="count">{escape(bar.text)}</text>'
        )
        parts.append(_link(bar.href, f"{bar.label}: {bar.text}", inner))
    return _markup(parts)


# --- a query result drawn: (label, number) rows as bars, rows with a latitude and a longitude as dots ---------

MAX_BARS = 60  # more rows than this: the table says it better
LATITUDE = ("lat", "latitude")
LONGITUDE = ("long", "lon", "lng", "longitude")
Cell = dict[str, str]  # a result cell as the query page has it: text, href, num ("1": a numeric literal)


def _number(cell: Cell, typed: bool = True) -> float | None:
    """The cell's value as a finite number: a numeric literal (`typed`), or any text that reads as one."""
    if typed and not cell.get("num"):
        return None
    try:
        value = float(cell.get("text", "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def result_bars(variables: list[str], rows: list[list[Cell]], chart_id: str = "result-bars") -> Markup | None:
    """Bars for rows that are (label, number) pairs in either order, 1..MAX_BARS of them, with no negative
    number; None for any other shape."""
    if len(variables) != 2 or not 0 < len(rows) <= MAX_BARS:
        return None
    for measure in (1, 0):
        values = [_number(row[measure]) for row in rows]
        if all(v is not None and v >= 0 for v in values) and all(_number(r[1 - measure]) is None for r in rows):
            break
    else:
        return None
    bars = [
        Bar(label.get("text") or "(none)", value or 0.0, label.get("href", ""), row[measure]["text"])
        for row, value in zip(rows, values, strict=True)
        for label in (row[1 - measure],)
    ]
    title = f"{variables[measure]} by {variables[1 - measure]}"
    return bars_svg(bars, chart_id, title, f"One bar per row, as long as its {variables[measure]}.", width=720)


def _column(variables: list[str], names: tuple[str, ...]) -> int | None:
    return next((i for i, name in enumerate(variables) if name.lower() in names), None)


def result_map(variables: list[str], rows: list[list[Cell]], chart_id: str = "result-map") -> Markup | None:
    """A dot at each row's (latitude, longitude) on the overview map's projection (and its outlines when the
    dots are in their region), named by the row's first other text (a literal before an IRI) and linked to its
    first IRI; None without both columns or without a row whose coordinates are numbers on Earth."""
    lat_at, long_at = _column(variables, LATITUDE), _column(variables, LONGITUDE)
    if lat_at is None or long_at is None:
        return None
    dots = []
    for row in rows:
        lat, long = _number(row[lat_at], typed=False), _number(row[long_at], typed=False)
        if lat is None or long is None or not (-90 <= lat <= 90 and -180 <= long <= 180):
            continue
        others = [c for i, c in enumerate(row) if i not in (lat_at, long_at) and c.get("text")]
        named = next((c for c in others if not c.get("href")), others[0] if others else {"text": f"{lat}, {long}"})
        href = next((c["href"] for c in others if c.get("href")), "")
        dots.append(Dot(lat, long, named["text"], named["text"], href))
    if not dots:
        return None
    desc = f"{len(dots)} place{'' if len(dots) == 1 else 's'} by latitude and longitude, north up."
    return map_svg(dots, chart_id, "The results on a map", desc, width=720, labels=len(dots) <= 30)


__all__ = [
    "Bar",
    "Dot",
    "Entry",
    "bars_svg",
    "in_region",
    "map_svg",
    "matrix_svg",
    "outlines",
    "result_bars",
    "result_map",
    "timeline_svg",
]
