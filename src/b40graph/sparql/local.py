"""`b40graph query`: a SPARQL query against the last build, printed as a table, JSON, CSV or Turtle."""

from __future__ import annotations

import pyoxigraph as ox

from b40graph.core.errors import UsageError
from b40graph.core.settings import Settings
from b40graph.publish.release import current
from b40graph.sparql.guard import inspect
from b40graph.sparql.results import QueryError, Results, run_local

#: The --format values each kind of result can be written in (what the kind is: SELECT/ASK/CONSTRUCT/DESCRIBE).
FITS = {
    "select": ("table", "json", "csv", "tsv"),
    "ask": ("table", "json", "csv", "tsv"),
    "graph": ("table", "turtle"),
}
KINDS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
KEYS = {"json": "json", "csv": "csv", "tsv": "tsv", "turtle": "ttl"}


def check_format(kind: str, fmt: str, form: str) -> None:
    """A usage error (exit 2) when `fmt` cannot express the result of a `form` query."""
    if fmt not in FITS[kind]:
        raise UsageError(
            f"--format {fmt} does not fit a {form} query (its result is "
            f"{'a graph' if kind == 'graph' else 'a table of bindings' if kind == 'select' else 'a boolean'}): "
            f"use --format {', '.join(FITS[kind])}"
        )


def run_query(settings: Settings, text: str, fmt: str) -> str:
    release = current(settings.out_dir)
    if release is None:
        raise UsageError(f"no build in {settings.out_dir}: run `b40graph build` first")
    try:  # refuse a misfit format before running the query, when its form can be read
        form = inspect(text, max(settings.max_query_bytes, len(text.encode("utf-8", "surrogatepass")))).form
    except QueryError:
        form = ""
    if form in KINDS:
        check_format(KINDS[form], fmt, form)
    store = ox.Store.read_only(str(release.store))
    results = run_local(store, text, cap=None, union_default=True)
    check_format(results.kind, fmt, form or results.kind.upper())
    if fmt == "table":
        return results.table()
    body, _ = results.serialize(KEYS[fmt])
    return body.decode("utf-8")


__all__ = ["Results", "run_query"]
