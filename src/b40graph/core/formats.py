"""The one media-type table: every RDF and SPARQL-results format b40graph reads or writes.

Dumps, resource documents, downloads and the SPARQL endpoint all choose formats from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    key: str  # also the value of ?format=
    label: str
    media_type: str  # the one we send
    aliases: tuple[str, ...]  # other media types we accept in Accept
    extension: str
    kind: str  # "rdf" (triples), "dataset" (quads), "results" (SPARQL results), "html"
    ox_format: ox.RdfFormat | None = None
    charset: bool = True
    names: tuple[str, ...] = ()  # other values clients send in ?format= / output= for it (besides key and types)

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


HTML = Format("html", "HTML", "text/html", ("application/xhtml+xml",), "html", "html")
# Turtle is also what we send for N3 (every Turtle document is N3), and JSON-LD / RDF/XML for a graph asked
# for as plain "json" / "xml" (SPARQLWrapper's names), so `names` overlap with the results formats' keys.
TURTLE = Format(
    "ttl",
    "Turtle",
    "text/turtle",
    ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
    "ttl",
    "rdf",
    ox.RdfFormat.TURTLE,
    names=("turtle", "n3"),
)
JSONLD = Format(
    "jsonld",
    "JSON-LD",
    "application/ld+json",
    ("application/json", "application/x-json+ld"),
    "jsonld",
    "rdf",
    names=("json-ld", "json"),
)
NTRIPLES = Format(
    "nt",
    "N-Triples",
    "application/n-triples",
    ("text/plain",),
    "nt",
    "rdf",
    ox.RdfFormat.N_TRIPLES,
    names=("ntriples", "n-triples"),
)
RDFXML = Format(
    "rdf",
    "RDF/XML",
    "application/rdf+xml",
    ("application/xml", "text/xml"),
    "rdf",
    "rdf",
    ox.RdfFormat.RDF_XML,
    names=("rdf+xml", "rdfxml", "rdf/xml", "xml"),
)
TRIG = Format("trig", "TriG", "application/trig", (), "trig", "dataset", ox.RdfFormat.TRIG)
NQUADS = Format(
    "nq", "N-Quads", "application/n-quads", (), "nq", "dataset", ox.RdfFormat.N_QUADS, names=("nquads", "n-quads")
)

RESULTS_JSON = Format(
    "json", "SPARQL JSON", "application/sparql-results+json", ("application/json",), "srj", "results", names=("srj",)
)
RESULTS_XML = Format(
    "xml",
    "SPARQL XML",
    "application/sparql-results+xml",
    ("application/xml", "text/xml"),
    "srx",
    "results",
    names=("srx",),
)
RESULTS_CSV = Format("csv", "CSV", "text/csv", (), "csv", "results")
RESULTS_TSV = Format("tsv", "TSV", "text/tab-separated-values", (), "tsv", "results", names=("text",))

#: Plain JSON: search results, autocomplete and the reconciliation service (web/find.py).
JSON = Format("json", "JSON", "application/json", (), "json", "json")

#: Formats of an RDF document about one resource (HTML first: the default for browsers).
DOCUMENT_FORMATS = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML, TRIG, NQUADS)
#: Formats of the whole-dataset dumps written by `b40graph build`.
DUMP_FORMATS = (TRIG, NQUADS, TURTLE, NTRIPLES, JSONLD)
#: SELECT/ASK results.
RESULT_FORMATS = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV, HTML)
#: CONSTRUCT/DESCRIBE results (Turtle first: the default when the client states no preference).
GRAPH_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML, TRIG, NQUADS, HTML)

BY_KEY = {f.key: f for f in (*DOCUMENT_FORMATS, *RESULT_FORMATS)}
BY_EXTENSION = {f.extension: f for f in DOCUMENT_FORMATS}


def by_name(value: str, offers: Sequence[Format]) -> Format | None:
    """The offered format a client means by a ?format= (or output=) value: a key ("ttl"), a name clients
    send ("turtle", "json", "rdf+xml", "n3") or a media type ("application/sparql-results+json"), read for
    what is offered: "json" is SPARQL JSON for SELECT results and JSON-LD for a graph. None if none fits."""
    name = value.split(";", 1)[0].strip().lower()
    if not name:
        return None
    for match in (
        lambda f: name in (f.key, f.media_type),
        lambda f: name in f.names or name in f.aliases,
    ):
        found = next((f for f in offers if match(f)), None)
        if found is not None:
            return found
    return None
