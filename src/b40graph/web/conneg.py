"""Content negotiation: Accept with q-values and wildcards, overridden by ?format= or a file extension."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from b40graph.core.formats import BY_EXTENSION, Format, by_name

MAX_ACCEPT = 4096
MAX_RANGES = 64
_RANGE = re.compile(r"^\s*([a-zA-Z0-9!#$&^_.+-]+|\*)/([a-zA-Z0-9!#$&^_.+-]+|\*)\s*$")


class NotAcceptable(Exception):
    def __init__(self, offered: Sequence[Format], reason: str = "") -> None:
        self.offered = list(offered)
        super().__init__(reason or "none of the offered media types matches the Accept header")


class BadRequest(Exception):
    pass


@dataclass(frozen=True)
class Range:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """0 = no match; higher = more specific."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == "*":
            return 2
        return 3 if (self.type, self.subtype) == (main, sub) else 0


def quality(params: list[str]) -> float:
    """The `q` of a list of header parameters (`["q=0.5", "charset=x"]`): 1 when absent, 0 when malformed or
    outside 0..1 (Accept, Accept-Encoding, Accept-Language all weigh their entries so)."""
    q = 1.0
    for param in params:
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            if math.isnan(q) or not 0.0 <= q <= 1.0:
                return 0.0
    return q


def parse_accept(header: str | None) -> list[Range]:
    """Parse an Accept header leniently: unparseable ranges are skipped, not fatal (RFC 9110 §12.5.1)."""
    if not header:
        return [Range("*", "*", 1.0, 0)]
    if len(header) > MAX_ACCEPT:
        raise BadRequest(f"the Accept header is longer than {MAX_ACCEPT} characters")
    ranges = []
    for order, part in enumerate(header.split(",")[:MAX_RANGES]):
        media, *params = part.split(";")
        match = _RANGE.match(media)
        if not match:
            continue
        q = quality(params)
        main, sub = match.group(1).lower(), match.group(2).lower()
        if main == "*" and sub != "*":
            continue
        ranges.append(Range(main, sub, q, order))
    return ranges


def negotiate(header: str | None, offers: Sequence[Format]) -> Format:
    """The offered format the client prefers; ties go to the server's order of `offers`."""
    ranges = parse_accept(header)
    if not ranges:  # nothing parseable at all: treat as no preference
        return offers[0]
    best: tuple[float, int, int] | None = None
    chosen: Format | None = None
    for rank, fmt in enumerate(offers):
        q = 0.0
        for media in fmt.media_types:
            scored = [(r.matches(media), r.q) for r in ranges if r.matches(media)]
            if scored:
                # The most specific range that matches decides the quality of this media type.
                spec, quality = max(scored, key=lambda x: x[0])
                quality = max(qq for s, qq in scored if s == spec)
                # An alias (e.g. text/plain for N-Triples) only counts when named exactly.
                if media != fmt.media_type and spec < 3:
                    continue
                q = max(q, quality)
        if q <= 0:
            continue
        key = (q, -rank, 0)
        if best is None or key > best:
            best, chosen = key, fmt
    if chosen is None:
        raise NotAcceptable(offers)
    return chosen


def override(
    fmt_params: str | Sequence[str] | None, extension: str | None, offers: Sequence[Format], strict: bool = True
) -> Format | None:
    """?format= (every value given, the first that names an offered format) or an extension beats Accept.
    A value that names nothing offered is a 406 naming what is; with `strict` off it is ignored instead
    (the SPARQL endpoint: clients send their own names, and Accept then decides)."""
    values = [fmt_params] if isinstance(fmt_params, str) else list(fmt_params or ())
    values = [v for v in values if v.strip()]
    for value in values:
        found = by_name(value, offers)
        if found is not None:
            return found
    if values and strict:
        raise NotAcceptable(offers, f"format '{values[0][:100]}' is not offered here")
    if extension:
        found = BY_EXTENSION.get(extension.lower())
        if found is None or found not in offers:
            raise NotAcceptable(offers, f"extension '.{extension}' is not offered here")
        return found
    return None
