"""The dataset's description of itself: VoID + DCAT + PROV, kept in the named graph graph/description."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, OWL, PROV, RDF, RDFS, VOID, XSD
from rdflib.namespace import DCTERMS as DCT

from b40graph.core import ntriples as nt
from b40graph.core.formats import DUMP_FORMATS
from b40graph.core.iris import Minter
from b40graph.core.text import slugify
from b40graph.core.vocab import B40, PREFIXES, SD

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DUMP_NAME = "b40"


def dump_file(ext: str) -> str:
    return f"{DUMP_NAME}.{ext}"


@dataclass
class Stats:
    """What the description counts in the union of the named graphs."""

    triples: int
    entities: int  # distinct IRI subjects
    classes: Counter[URIRef]  # instances per class (IRI classes only)
    properties: Counter[URIRef]  # triples per predicate
    sizes: dict[URIRef, int]  # triples per named graph


def stats_of_graphs(graphs: Mapping[URIRef, Graph]) -> Stats:
    union = Graph()
    for graph in graphs.values():
        for triple in graph:
            union.add(triple)
    return Stats(
        len(union),
        len({s for s in union.subjects() if isinstance(s, URIRef)}),
        Counter(o for s, o in union.subject_objects(RDF.type) if isinstance(o, URIRef)),
        Counter(p for p in union.predicates() if isinstance(p, URIRef)),
        {name: len(graph) for name, graph in graphs.items()},
    )


def stats_of_lines(graphs: Mapping[URIRef, list[str]]) -> Stats:
    """The same counts from N-Triples lines (the fast build's graphs)."""
    union: set[str] = set()
    for lines in graphs.values():
        union.update(lines)
    subjects: set[str] = set()
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    rdf_type = f"<{RDF.type}>"
    for line in union:
        s, p, o = nt.split(line)
        subjects.add(s)
        properties[p] += 1
        if p == rdf_type and o.startswith("<"):
            classes[o] += 1
    return Stats(
        len(union),
        sum(1 for s in subjects if s.startswith("<")),
        Counter({URIRef(k[1:-1]): v for k, v in classes.items()}),
        Counter({URIRef(k[1:-1]): v for k, v in properties.items()}),
        {name: len(lines) for name, lines in graphs.items()},
    )


def describe(
    graphs: Mapping[URIRef, Graph],
    mint: Minter,
    version: str,
    modified: str,
    sources: list[URIRef],
    title: str,
    examples: list[URIRef],
) -> Graph:
    return describe_stats(stats_of_graphs(graphs), mint, version, modified, sources, title, examples)


def describe_stats(
    stats: Stats,
    mint: Minter,
    version: str,
    modified: str,
    sources: list[URIRef],
    title: str,
    examples: list[URIRef],
) -> Graph:
    g = Graph()
    ds = mint.dataset()
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, RDFS.label, Literal(title, lang="en")))
    g.add((ds, DCT.title, Literal(title, lang="en")))
    g.add(
        (
            ds,
            DCT.description,
            Literal(
                "The declarations of the network as Linked Open Data: signatories, the municipalities they signed for, "
                "membership, the clauses and the themes each declaration commits to, with the full texts and the "
                "provenance of every named graph.",
                lang="en",
            ),
        )
    )
    g.add((ds, DCT.license, LICENSE))
    g.add((ds, DCT.publisher, mint.network("b40")))
    if modified:  # an empty network has no declaration yet
        g.add((ds, DCT.modified, Literal(modified, datatype=XSD.date)))
    g.add((ds, OWL.versionInfo, Literal(version)))
    g.add((ds, URIRef(str(DCAT) + "version"), Literal(version)))
    g.add((ds, VOID.sparqlEndpoint, mint("sparql")))
    g.add((ds, VOID.uriSpace, Literal(mint.base + "id/")))
    g.add((ds, VOID.triples, Literal(stats.triples)))
    g.add((ds, VOID.entities, Literal(stats.entities)))
    g.add((ds, DCAT.landingPage, mint("")))
    for src in sources:
        g.add((ds, PROV.wasDerivedFrom, src))
    for example in examples:
        g.add((ds, VOID.exampleResource, example))
    for ns in sorted(
        set(PREFIXES.values()) & {str(p).split("#")[0] + ("#" if "#" in str(p) else "") for p in stats.properties}
        | {str(B40)}
    ):
        g.add((ds, VOID.vocabulary, URIRef(ns)))
    for fmt in DUMP_FORMATS:
        url = mint(f"download/{dump_file(fmt.extension)}")
        dist = URIRef(f"{ds}/distribution/{fmt.extension}")
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, RDFS.label, Literal(f"The whole dataset as {fmt.label}", lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}")))
    for cls, count in sorted(stats.classes.items()):
        part = URIRef(f"{ds}/class/{slugify(str(cls))}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count)))
    for prop, count in sorted(stats.properties.items()):
        part = URIRef(f"{ds}/property/{slugify(str(prop))}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(count)))
    for name, size in sorted(stats.sizes.items()):
        g.add((ds, VOID.subset, name))
        g.add((name, RDF.type, VOID.Dataset))
        g.add((name, RDF.type, SD.NamedGraph))
        g.add((name, SD.name, name))
        g.add((name, VOID.triples, Literal(size)))
        g.add((name, RDFS.label, Literal(f"Named graph {str(name).removeprefix(mint.base)}", lang="en")))
    # this graph is one of the dataset's too (its size is not stated: stating it would change it)
    own = mint.graph("description")
    g.add((ds, VOID.subset, own))
    g.add((own, RDF.type, VOID.Dataset))
    g.add((own, RDF.type, SD.NamedGraph))
    g.add((own, SD.name, own))
    g.add((own, RDFS.label, Literal("Named graph graph/description: the description of the dataset", lang="en")))
    return g
