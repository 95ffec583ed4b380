"""The app for any WSGI server, configured from the environment (B40_ROOT, B40_OUT, B40_BASE, the
limits, and B40_BACKEND for a remote SPARQL endpoint or B40_DATASET for an RDF file), e.g.

    gunicorn -w 4 -b 127.0.0.1:8000 'b40graph.wsgi:app'

It serves the last build; it does not build (run `b40graph build` first, as a deploy step).
"""

from __future__ import annotations

import os

from b40graph.core.settings import Settings
from b40graph.server import open_backend, release_base, with_release_site
from b40graph.web.app import create_app

settings = Settings()
_dataset, _remote = os.environ.get("B40_DATASET"), os.environ.get("B40_BACKEND")
if not _dataset and not _remote:  # serving the last build: its base (unless B40_BASE is set) and its site
    settings = release_base(settings, rebuild=False)
_backend = open_backend(settings, _dataset, _remote, rebuild=False)
app = create_app(settings if _dataset or _remote else with_release_site(settings), _backend)
