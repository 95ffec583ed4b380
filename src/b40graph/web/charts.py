"""Pictures of a SELECT result, drawn on the server as inline SVG (no script, no outside service): a bar chart
when the result is one label column and one number column, a map of dots when it has latitude and longitude
columns. Each returns None when the result is not of its shape."""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_BARS = 60  # more rows than this: the table says it better
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 22, 6, 260, 720
MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 720, 420, 24
LATITUDE = ("lat", "latitude")
LONGITUDE = ("long", "lon", "lng", "longitude")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the data wrote it
    href: str
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    label: str  # the variables' names, for the caption
    measure: str
    bars: list[Bar]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH


@dataclass(frozen=True)
class Dot:
    label: str
    href: str
    x: float
    y: float


@dataclass(frozen=True)
class DotMap:
    dots: list[Dot]
    width: int = MAP_WIDTH
    height: int = MAP_HEIGHT


def number(cell: dict[str, str]) -> float | None:
    """The cell's value as a number when it is a numeric literal (typed so by the data), else None."""
    if not cell.get("num"):
        return None
    try:
        value = float(cell["text"])
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def bar_chart(variables: list[str], rows: list[list[dict[str, str]]]) -> BarChart | None:
    """A bar chart of `rows` when they are (label, number) pairs in either order, 1..MAX_BARS of them, with no
    negative number."""
    if len(variables) != 2 or not 0 < len(rows) <= MAX_BARS:
        return None
    for measure in (1, 0):
        values = [number(row[measure]) for row in rows]
        labels = [row[1 - measure] for row in rows]
        if all(v is not None and v >= 0 for v in values) and not any(number(c) is not None for c in labels):
            break
    else:
        return None
    top = max(v for v in values if v is not None) or 1.0
    room = CHART_WIDTH - LABEL_WIDTH - 60  # the value is written after the bar
    bars = [
        Bar(
            label=cell["text"] or "(none)",
            value=value or 0.0,
            shown=row[measure]["text"],
            href=cell.get("href", ""),
            y=i * (BAR_HEIGHT + BAR_GAP),
            width=round((value or 0.0) / top * room, 1),
        )
        for i, (cell, value, row) in enumerate(zip(labels, values, rows, strict=True))
    ]
    return BarChart(variables[1 - measure], variables[measure], bars, len(bars) * (BAR_HEIGHT + BAR_GAP))


def _column(variables: list[str], names: tuple[str, ...]) -> int | None:
    for i, name in enumerate(variables):
        if name.lower() in names:
            return i
    return None


def dot_map(variables: list[str], rows: list[list[dict[str, str]]]) -> DotMap | None:
    """Dots at each row's (latitude, longitude), fitted into the picture (an equirectangular view of the
    points' own bounding box); the label is the first other column's text. None without both columns or
    without one row whose coordinates are numbers in range."""
    lat_at, long_at = _column(variables, LATITUDE), _column(variables, LONGITUDE)
    if lat_at is None or long_at is None:
        return None
    points = []
    for row in rows:
        lat, long = _coordinate(row[lat_at]), _coordinate(row[long_at])
        if lat is None or long is None or not (-90 <= lat <= 90 and -180 <= long <= 180):
            continue
        others = [c for i, c in enumerate(row) if i not in (lat_at, long_at) and c.get("text")]
        points.append((lat, long, others[0] if others else {"text": f"{lat}, {long}"}))
    if not points:
        return None
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    stretch = math.cos(math.radians((south + north) / 2))  # a degree of longitude is shorter away from the equator
    span_x, span_y = max((east - west) * stretch, 1e-6), max(north - south, 1e-6)
    scale = min((MAP_WIDTH - 2 * MAP_PAD) / span_x, (MAP_HEIGHT - 2 * MAP_PAD) / span_y)
    dots = [
        Dot(
            label=cell["text"],
            href=cell.get("href", ""),
            x=round(MAP_PAD + (long - west) * stretch * scale, 1),
            y=round(MAP_HEIGHT - MAP_PAD - (lat - south) * scale, 1),
        )
        for lat, long, cell in points
    ]
    return DotMap(dots)


def _coordinate(cell: dict[str, str]) -> float | None:
    """A latitude or longitude: a numeric literal, or a plain literal that reads as a decimal number."""
    try:
        value = float(cell.get("text", "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None
