"""`b40graph query`: a SPARQL query against the last build, printed as a table, JSON, CSV or Turtle."""

from __future__ import annotations

import pyoxigraph as ox

from .errors import UsageError
from .release import current
from .results import Results, run_local
from .settings import Settings


def run_query(settings: Settings, text: str, fmt: str) -> str:
    release = current(settings.out_dir)
    if release is None:
        raise UsageError(f"no build in {settings.out_dir}: run `b40graph build` first")
    store = ox.Store.read_only(str(release.store))
    results = run_local(store, text, cap=None, union_default=True)
    if fmt == "table":
        return results.table()
    key = {"json": "json", "csv": "csv", "tsv": "tsv", "turtle": "ttl"}[fmt]
    body, _ = results.serialize(key)
    return body.decode("utf-8")


__all__ = ["Results", "run_query"]
