"""b40graph: publish declarations of city networks as validated Linked Open Data.

The library comes first; the `b40graph` command only parses arguments and calls these:

- `build(settings)`: sources -> model -> reason -> validate -> publish; returns the published `Release`.
- `validate(settings)`: the same up to validation, publishing nothing; returns the `Compiled` dataset.
- `query(settings, text, fmt)`: a SPARQL query over the current release, as text in `fmt`.
- `serve(settings, host, port, ...)`: build if the inputs changed, then serve the web app.

They are imported on first use, so importing `b40graph` stays cheap (query workers import it too).
"""

from __future__ import annotations

from typing import Any

from b40graph.core.version import PACKAGE_DIR, __version__, code_version

_API = {
    "build": ("b40graph.pipeline", "build"),
    "validate": ("b40graph.pipeline", "compile_dataset"),
    "query": ("b40graph.store.local", "run_query"),
    "serve": ("b40graph.server", "serve"),
    "Settings": ("b40graph.core.settings", "Settings"),
}


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        module, attribute = _API[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'b40graph' has no attribute {name!r}")


__all__ = ["PACKAGE_DIR", "Settings", "__version__", "build", "code_version", "query", "serve", "validate"]
