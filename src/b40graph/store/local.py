"""`b40graph query`: a SPARQL query against the last build, printed as a table, JSON, CSV or Turtle. It reads
the release through the storage seam (`EmbeddedBackend`, in this process: no time limit, no result cap) and
so passes the same guard as the public endpoint."""

from __future__ import annotations

from b40graph.core.errors import UsageError
from b40graph.core.settings import Settings
from b40graph.sparql.guard import inspect
from b40graph.store.embedded import EmbeddedBackend

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
    """The answer to `text` from the current release of `settings.out_dir`, written in `fmt`."""
    # The operator's own query may be longer than the public endpoint allows; everything else is refused alike.
    settings = settings.with_(max_query_bytes=max(settings.max_query_bytes, len(text.encode("utf-8", "surrogatepass"))))
    form = inspect(text, settings.max_query_bytes).form  # a misfit format is refused before the query runs
    check_format(KINDS[form], fmt, form)
    backend = EmbeddedBackend(settings, workers=False)
    try:
        results = backend.query(text)
    finally:
        backend.close()
    if fmt == "table":
        return results.table()
    body, _ = results.serialize(KEYS[fmt])
    return body.decode("utf-8")


__all__ = ["run_query"]
