"""What every source's named graph is built into (`Assembly`: the graphs, and the origin of every node) and the
nodes several sources write alike: the source document of a file, a role of the roles scheme, a membership.

Every node minted in the model stage gets an IRI (no blank nodes) and an origin (file, line) so that a SHACL
violation on it can be reported where the curator can fix it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import ORG, RDF, RDFS, SKOS, TIME, XSD

from b40graph.core.errors import Problems
from b40graph.core.iris import Minter
from b40graph.core.vocab import B40, SCHEMA, SPDX
from b40graph.sources.declaration import ParsedText
from b40graph.sources.files import SourceFile
from b40graph.sources.reference import Reference

Origin = tuple[Path, int | None]


@dataclass
class Assembly:
    graphs: dict[URIRef, Graph] = field(default_factory=dict)
    origins: dict[URIRef, Origin] = field(default_factory=dict)
    graph_sources: dict[URIRef, list[Path]] = field(default_factory=dict)
    parsed: dict[str, ParsedText] = field(default_factory=dict)
    networks: list[str] = field(default_factory=list)
    weak: set[URIRef] = field(default_factory=set)  # origins set only if no other source set one first
    factory: type = Graph  # the fast build collects triples in nt.TripleBag instead

    def weak_origin(self, node: URIRef, origin: Origin) -> None:
        self.weak.add(node)
        self.origins.setdefault(node, origin)

    def graph(self, name: URIRef, *sources: Path) -> Graph:
        self.graph_sources[name] = list(sources)
        return self.graphs.setdefault(name, self.factory())


def role_node(asm: Assembly, g: Graph, mint: Minter, role: URIRef, label: str, origin: Origin) -> None:
    """A role as a concept of the roles scheme (ORG makes every org:Role a skos:Concept): its label and
    preferred label in English, and its scheme, which lists every role as a top concept (a flat list)."""
    scheme = mint.roles()
    g.add((role, RDF.type, SKOS.Concept))
    g.add((role, RDFS.label, Literal(label, lang="en")))
    g.add((role, SKOS.prefLabel, Literal(label, lang="en")))
    g.add((role, SKOS.inScheme, scheme))
    g.add((role, SKOS.topConceptOf, scheme))
    g.add((scheme, SKOS.hasTopConcept, role))
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for p in (RDFS.label, SKOS.prefLabel, DCT.title):
        g.add((scheme, p, Literal("Roles", lang="en")))
    g.add(
        (
            scheme,
            DCT.description,
            Literal("The offices in which persons signed declarations, and the roles of members in a network.", "en"),
        )
    )
    asm.weak_origin(scheme, origin)


def source_document(g: Graph, mint: Minter, root: Path, path: Path, raw_sha: str, size: int, fmt: str) -> URIRef:
    node = mint.source(path.stem)
    checksum = URIRef(str(node) + "/sha256")
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    g.add((node, RDF.type, B40.SourceDocument))
    g.add((node, RDFS.label, Literal(rel, lang="en")))
    g.add((node, B40.path, Literal(rel)))
    g.add((node, DCT.format, Literal(fmt)))
    g.add((node, SCHEMA.contentSize, Literal(size, datatype=XSD.integer)))
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(raw_sha, datatype=XSD.hexBinary)))
    return node


def membership_node(
    g: Graph, mint: Minter, network: str, slug: str, name: str, label: str, role: URIRef, start: dt.date
) -> tuple[URIRef, URIRef]:
    """The org:Membership of a municipality in a network (shared by founding and later members)."""
    membership = mint.membership(network, slug)
    period = URIRef(f"{membership}/period")
    beginning = URIRef(f"{period}/start")
    g.add((membership, RDF.type, ORG.Membership))
    g.add((membership, RDFS.label, Literal(f"{name}: {label}", lang="en")))
    g.add((membership, ORG.member, mint.municipality(slug)))
    g.add((membership, ORG.organization, mint.network(network)))
    g.add((membership, ORG.role, role))
    g.add((membership, ORG.memberDuring, period))
    g.add((period, RDF.type, TIME.Interval))
    g.add((period, TIME.hasBeginning, beginning))
    g.add((beginning, RDF.type, TIME.Instant))
    g.add((beginning, TIME.inXSDDate, Literal(start)))
    g.add((membership, B40.memberSince, Literal(start)))  # on the membership too: the shapes compare the two
    return membership, period


def add_publisher(g: Graph, node: URIRef, src: SourceFile, ref: Reference, mint: Minter, problems: Problems) -> None:
    """The front matter's `publisher` (a network of data/network.ttl) of a declaration or a translation."""
    slug = str(src.meta.get("publisher") or "")
    if not slug:
        return
    if slug not in ref.network_slugs:
        problems.add(
            f"publisher '{slug}' is not a network in data/network.ttl",
            src.path,
            src.meta_lines.get("publisher"),
            f"use one of: {', '.join(ref.network_slugs)}",
        )
    g.add((node, DCT.publisher, mint.network(slug)))
