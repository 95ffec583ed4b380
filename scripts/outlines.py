#!/usr/bin/env python3
"""Country outlines for the overview map: Natural Earth (public domain), from the `world-atlas` npm package.

Redo it with:

    mkdir -p /tmp/atlas && cd /tmp/atlas && npm install world-atlas@2.0.2
    python3 scripts/outlines.py /tmp/atlas/node_modules/world-atlas/countries-50m.json

It decodes the TopoJSON (delta-encoded, quantised arcs), keeps what lies in the region's box (the Balkans,
Turkey and their neighbours), simplifies each ring (Douglas-Peucker) and writes
src/b40graph/web/overview_data/outlines.json (rings of [longitude, latitude] in degrees).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "b40graph" / "web" / "overview_data" / "outlines.json"
BOX = (8.0, 33.0, 46.0, 50.0)  # west, south, east, north (degrees)
TOLERANCE = 0.02  # degrees (about 2 km): an overview, not a survey
DIGITS = 3

Point = tuple[float, float]


def decode_arcs(topology: dict) -> list[list[Point]]:
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    out: list[Point] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(points if not out else points[1:])
    return out


def clip(points: list[Point], box: tuple[float, float, float, float]) -> list[Point]:
    """Sutherland-Hodgman: the part of a closed ring inside the box (edges along the box where it was cut)."""
    west, south, east, north = box
    edges = (
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    )
    for inside, cross in edges:
        if not points:
            break
        result: list[Point] = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current))
            previous = current
        points = result
    return points


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iteratively (rings have thousands of points)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index > 0 and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _distance(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == dy == 0:
        return float(((p[0] - a[0]) ** 2 + (p[1] - a[1]) ** 2) ** 0.5)
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return float(((p[0] - a[0] - t * dx) ** 2 + (p[1] - a[1] - t * dy) ** 2) ** 0.5)


def area(points: list[Point]) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1], strict=True))) / 2


def main(source: Path) -> None:
    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry.get("arcs", [])]
        rings = []
        for polygon in polygons:
            for indexes in polygon:
                cut = simplify(clip(ring(indexes, arcs), BOX), TOLERANCE)
                if len(cut) >= 4 and area(cut) > TOLERANCE**2:
                    rings.append([[round(x, DIGITS), round(y, DIGITS)] for x, y in cut])
        if rings:
            countries.append({"id": geometry.get("id"), "name": geometry["properties"]["name"], "rings": rings})
    countries.sort(key=lambda c: c["name"])
    package = json.loads((source.parent / "package.json").read_text(encoding="utf-8"))
    out = {
        "source": f"Natural Earth 1:50m admin 0 countries (public domain), via the world-atlas npm package "
        f"{package['version']} ({source.name}); clipped to {list(BOX)} and simplified by scripts/outlines.py",
        "box": list(BOX),
        "countries": countries,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(countries)} countries, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
