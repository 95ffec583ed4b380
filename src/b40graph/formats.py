"""The one media-type table: every RDF and SPARQL-results format b40graph reads or writes.

Dumps, resource documents, downloads and the SPARQL endpoint all choose formats from here.
"""

from __future__ import annotations

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

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


HTML = Format("html", "HTML", "text/html", ("application/xhtml+xml",), "html", "html")
TURTLE = Format("ttl", "Turtle", "text/turtle", ("application/x-turtle",), "ttl", "rdf", ox.RdfFormat.TURTLE)
JSONLD = Format("jsonld", "JSON-LD", "application/ld+json", ("application/json",), "jsonld", "rdf")
NTRIPLES = Format("nt", "N-Triples", "application/n-triples", ("text/plain",), "nt", "rdf", ox.RdfFormat.N_TRIPLES)
RDFXML = Format(
    "rdf", "RDF/XML", "application/rdf+xml", ("application/xml", "text/xml"), "rdf", "rdf", ox.RdfFormat.RDF_XML
)
TRIG = Format("trig", "TriG", "application/trig", (), "trig", "dataset", ox.RdfFormat.TRIG)
NQUADS = Format("nq", "N-Quads", "application/n-quads", (), "nq", "dataset", ox.RdfFormat.N_QUADS)

RESULTS_JSON = Format("json", "SPARQL JSON", "application/sparql-results+json", ("application/json",), "srj", "results")
RESULTS_XML = Format(
    "xml", "SPARQL XML", "application/sparql-results+xml", ("application/xml", "text/xml"), "srx", "results"
)
RESULTS_CSV = Format("csv", "CSV", "text/csv", (), "csv", "results")
RESULTS_TSV = Format("tsv", "TSV", "text/tab-separated-values", (), "tsv", "results")

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
