"""The dataset's description of itself: VoID + DCAT + PROV, kept in the named graph graph/description."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, OWL, PROV, RDF, RDFS, VOID, XSD
from rdflib.namespace import DCTERMS as DCT

from b40graph.core import ntriples as nt
from b40graph.core.formats import DUMP_FORMATS
from b40graph.core.iris import Minter
from b40graph.core.site import DEFAULT_DUMP, Site
from b40graph.core.text import slugify
from b40graph.core.vocab import B40, ISO639, PREFIXES, SD

VCARD = "http://www.w3.org/2006/vcard/ns#"
ISO639_2 = "http://id.loc.gov/vocabulary/iso639-2/"  # the three-letter codes (cnr)


def dump_file(ext: str, stem: str = DEFAULT_DUMP) -> str:
    return f"{stem}.{ext}"


def release_site(info: Mapping[str, object]) -> Site:
    """The site a release.json records (a release made before sites were recorded: an empty one)."""
    return Site.from_json(info.get("site"))


def publisher_iri(publisher: str, mint: Minter) -> str:
    """b40graph.toml's publisher: an absolute IRI as it is, else relative to the base."""
    return publisher if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", publisher) else str(mint(publisher))


def resolve_site(site: Site, mint: Minter, networks: list[str], triples: Iterable[tuple[object, ...]]) -> Site:
    """The site as published: what b40graph.toml leaves out found in the data (`triples`, e.g. the
    reference graph): the name of the one network, the network itself as publisher, the licence the
    network or the dataset states, the network's slug as the dump stem. Nothing is made up: a value the
    data does not give stays empty."""
    nodes = [mint.network(n) for n in networks]
    labels: dict[URIRef, str] = {}
    licences: dict[URIRef, URIRef] = {}
    wanted = {*nodes, mint.dataset()}
    for s, p, o in triples:
        if not isinstance(s, URIRef) or s not in wanted:
            continue
        if p == RDFS.label and isinstance(o, Literal) and o.language == "en":
            labels.setdefault(s, str(o))
        elif p == DCT.license and isinstance(o, URIRef):
            licences.setdefault(s, o)
    one = nodes[0] if len(nodes) == 1 else None
    publisher = publisher_iri(site.publisher, mint) if site.publisher else (str(one) if one is not None else "")
    licence = site.licence or str(licences.get(mint.dataset()) or (licences.get(one) if one is not None else "") or "")
    found = replace(
        site,
        name=site.name or (labels.get(one, "") if one is not None else ""),
        publisher=str(publisher),
        licence=licence,
        dump=site.dump or (networks[0] if one is not None else ""),
    )
    return replace(found, title=found.shown_title, description=found.shown_description)


@dataclass
class Stats:
    """What the description counts in the union of the named graphs."""

    triples: int
    entities: int  # distinct IRI subjects
    classes: Counter[URIRef]  # instances per class (IRI classes only)
    properties: Counter[URIRef]  # triples per predicate
    sizes: dict[URIRef, int]  # triples per named graph


def stats_of_lines(graphs: Mapping[URIRef, list[str]]) -> Stats:
    """The counts of the description from N-Triples lines (the reference that `pieces.union_stats` sums by run)."""
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


def describe_stats(
    stats: Stats,
    mint: Minter,
    version: str,
    modified: str,
    sources: list[URIRef],
    site: Site,
    examples: list[URIRef],
) -> Graph:
    """The description, saying what `site` (resolved: see `resolve_site`) says of the dataset."""
    g = Graph()
    ds = mint.dataset()
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    _catalogue(g, ds, site)
    _contents(g, ds, stats, mint, version, modified, sources, examples)
    _distributions(g, ds, mint, site)
    _partitions(g, ds, stats, mint)
    return g


def _catalogue(g: Graph, ds: URIRef, site: Site) -> None:
    """What the site configuration says: title, description, licence, publisher, languages, contact."""
    g.add((ds, RDFS.label, Literal(site.shown_title, lang="en")))
    g.add((ds, DCT.title, Literal(site.shown_title, lang="en")))
    g.add((ds, DCT.description, Literal(site.shown_description, lang="en")))
    if site.licence:
        g.add((ds, DCT.license, URIRef(site.licence)))
    if site.publisher:
        g.add((ds, DCT.publisher, URIRef(site.publisher)))
    for language in dict.fromkeys(tag.split("-")[0] for tag in site.languages):  # sr-Cyrl: sr
        g.add((ds, DCT.language, ISO639[language] if len(language) == 2 else URIRef(ISO639_2 + language)))
    if site.contact:
        contact = URIRef(f"{ds}/contact")
        g.add((ds, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, URIRef(VCARD + "Kind")))
        g.add((contact, RDFS.label, Literal(f"Contact for {site.shown_name}", lang="en")))
        link = "hasEmail" if site.contact_href.startswith("mailto:") else "hasURL"
        g.add((contact, URIRef(VCARD + link), URIRef(site.contact_href)))


def _contents(
    g: Graph,
    ds: URIRef,
    stats: Stats,
    mint: Minter,
    version: str,
    modified: str,
    sources: list[URIRef],
    examples: list[URIRef],
) -> None:
    """The version, the endpoint, the counts, the sources, example resources and the vocabularies used."""
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


def _distributions(g: Graph, ds: URIRef, mint: Minter, site: Site) -> None:
    """One distribution per dump format."""
    for fmt in DUMP_FORMATS:
        url = mint(f"download/{dump_file(fmt.extension, site.dump_stem)}")
        dist = URIRef(f"{ds}/distribution/{fmt.extension}")
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, RDFS.label, Literal(f"The whole dataset as {fmt.label}", lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}")))


def _partitions(g: Graph, ds: URIRef, stats: Stats, mint: Minter) -> None:
    """The class and property partitions, and every named graph as a subset (this one too)."""
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
