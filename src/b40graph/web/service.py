"""The SPARQL 1.1 Service Description, answered by GET /sparql with no query."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, render_template, request

from b40graph.core.formats import DOCUMENT_FORMATS, HTML, RESULT_FORMATS
from b40graph.core.rdfio import serialize
from b40graph.core.vocab import FORMATS, SD
from b40graph.web import examples
from b40graph.web.http import QUERY_PAGE_CSP, backend, choose, finish, settings
from b40graph.web.meta import served_site

_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "ttl": "Turtle",
    "nt": "N-Triples",
    "rdf": "RDF_XML",
    "jsonld": "JSON-LD",
    "trig": "TriG",
    "nq": "N-Quads",
}


def _n(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def triples(endpoint: str) -> list[ox.Triple]:
    svc = ox.NamedNode(endpoint + "#service")
    rdf_type = _n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    out = [
        ox.Triple(svc, rdf_type, _n(SD.Service)),
        ox.Triple(svc, _n(SD.endpoint), ox.NamedNode(endpoint)),
        ox.Triple(svc, _n(SD.supportedLanguage), _n(SD.SPARQL11Query)),
        ox.Triple(svc, _n(SD.feature), _n(SD.UnionDefaultGraph)),
    ]
    for key in {f.key for f in RESULT_FORMATS + DOCUMENT_FORMATS} & _FORMAT_IRIS.keys():
        out.append(ox.Triple(svc, _n(SD.resultFormat), _n(FORMATS[_FORMAT_IRIS[key]])))
    dataset = ox.NamedNode(endpoint + "#dataset")
    out.append(ox.Triple(svc, _n(SD.defaultDataset), dataset))
    out.append(ox.Triple(dataset, rdf_type, _n(SD.Dataset)))
    default = ox.NamedNode(endpoint + "#default-graph")
    out.append(ox.Triple(dataset, _n(SD.defaultGraph), default))
    out.append(ox.Triple(default, rdf_type, _n(SD.Graph)))
    for graph in backend().graphs():
        node = ox.NamedNode(endpoint + "#graph-" + graph.value)
        out.append(ox.Triple(dataset, _n(SD.namedGraph), node))
        out.append(ox.Triple(node, rdf_type, _n(SD.NamedGraph)))
        out.append(ox.Triple(node, _n(SD.name), graph))
    rdfs_comment = _n("http://www.w3.org/2000/01/rdf-schema#comment")
    label = f"SPARQL endpoint of {served_site().shown_title}"  # the site configuration's title
    out.append(ox.Triple(svc, _n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(label, language="en")))
    out.append(
        ox.Triple(
            svc,
            rdfs_comment,
            ox.Literal(
                "Read-only SPARQL 1.1 query endpoint. SERVICE (federation) and updates are refused; "
                f"queries stop after "
                f"{settings().query_timeout:g} s; results over {settings().result_cap} rows or triples are refused, "
                "never truncated. The default graph is the merge of all named graphs: each triple once.",
                language="en",
            ),
        )
    )
    return out


def description() -> Response:
    fmt = choose((HTML, *DOCUMENT_FORMATS[1:]))
    version = backend().version()
    endpoint = request.base_url
    if fmt is HTML:
        body: bytes | str = render_template(
            "sparql.html",
            title="SPARQL endpoint",
            query=examples.EXAMPLES[0][1],
            results=None,
            examples=examples.EXAMPLES,
            editor=True,
        )
    else:
        data = triples(endpoint)
        body = serialize(data, fmt)
    response = Response(body, content_type=fmt.content_type)
    if fmt is HTML:
        response.headers["Content-Security-Policy"] = QUERY_PAGE_CSP  # the editor's scripts
    return finish(response, version, fmt)
