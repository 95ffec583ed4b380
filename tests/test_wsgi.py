"""The WSGI entry point other servers (gunicorn, uWSGI) load, configured from the environment only."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .conftest import BASE, ROOT

SCRIPT = """
from b40graph.wsgi import app
r = app.test_client().get("/doc/network/b40", headers={"Accept": "application/n-triples"})
print(r.status_code)
print(r.get_data(as_text=True))
"""


def _run(env: dict[str, str]) -> tuple[int, Graph]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    status, _, body = done.stdout.partition("\n")
    return int(status), Graph().parse(data=body, format="nt")


@pytest.mark.parametrize("kind", ["embedded", "remote"])
def test_wsgi_app_from_environment(built, kind, request):
    settings, _ = built
    env = {"B40_ROOT": str(ROOT), "B40_OUT": str(settings.out_dir), "B40_QUERY_WORKERS": "1"}
    if kind == "remote":
        env["B40_BACKEND"] = request.getfixturevalue("remote") + "/query"
    status, graph = _run(env)
    assert status == 200
    assert (URIRef(BASE + "id/network/b40"), RDF.type, URIRef(BASE + "ontology#Network")) in graph
