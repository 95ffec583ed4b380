"""`b40graph query` for every query form × --format: what fits is printed in that format, what does not is
refused with exit 2 (a usage error) and a message naming the formats that fit."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from rdflib import Graph, URIRef

from b40graph import cli
from b40graph.core.settings import Settings
from b40graph.pipeline import build

from .conftest import BASE, copy_project

NETWORK = BASE + "id/network/b40"
QUERIES = {
    "SELECT": f"SELECT ?p WHERE {{ <{NETWORK}> ?p ?o }}",
    "ASK": f"ASK {{ <{NETWORK}> ?p ?o }}",
    "CONSTRUCT": f"CONSTRUCT {{ <{NETWORK}> ?p ?o }} WHERE {{ <{NETWORK}> ?p ?o }}",
    "DESCRIBE": f"DESCRIBE <{NETWORK}>",
}
FITS = {
    "SELECT": {"table", "json", "csv", "tsv"},
    "ASK": {"table", "json", "csv", "tsv"},
    "CONSTRUCT": {"table", "turtle"},
    "DESCRIBE": {"table", "turtle"},
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("query"))
    build(Settings(root=root, out=root / "dist"))
    return root


def _check_output(form: str, fmt: str, out: str) -> None:
    if form in ("CONSTRUCT", "DESCRIBE"):  # table and turtle: Turtle
        assert (URIRef(NETWORK), URIRef(RDF_TYPE), None) in Graph().parse(data=out, format="turtle")
    elif fmt == "json":
        answer = json.loads(out)
        if form == "ASK":
            assert answer["boolean"] is True
        else:
            assert RDF_TYPE in {b["p"]["value"] for b in answer["results"]["bindings"]}
    elif fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t"))
        if form == "ASK":
            assert rows[1] == ["true"]
        else:
            assert RDF_TYPE in {r[0].strip("<>") for r in rows[1:]}
    elif form == "ASK":
        assert out.strip() == "yes"
    else:
        assert RDF_TYPE in out


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv", "turtle"])
@pytest.mark.parametrize("form", list(QUERIES))
def test_every_form_and_format(project, capsys, form, fmt):
    code = cli.main(["query", "--root", str(project), "--format", fmt, QUERIES[form]])
    out, err = capsys.readouterr()
    if fmt in FITS[form]:
        assert code == 0, err
        _check_output(form, fmt, out)
    else:
        assert code == 2 and out == ""
        assert f"--format {fmt} does not fit a {form} query" in err
        assert all(f in err for f in FITS[form]), err


def test_the_command_refuses_a_misfit_with_exit_2(project):
    done = subprocess.run(
        [sys.executable, "-m", "b40graph.cli", "query", "--root", str(project), "--format", "csv", QUERIES["DESCRIBE"]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and "does not fit a DESCRIBE query" in done.stderr and "Traceback" not in done.stderr
