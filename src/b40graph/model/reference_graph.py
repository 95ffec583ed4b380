"""The reference graph (graph/reference): the curated tables of data/ (countries, places, municipalities,
events), the network description and the theme vocabulary, and the source document of each file."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import ORG, RDF, RDFS, SKOS, XSD

from b40graph.core.iris import Minter
from b40graph.core.vocab import B40, GEO, GN, SCHEMA, WD
from b40graph.model.nodes import Assembly, source_document
from b40graph.sources.reference import Reference, Row, locate_in_file


def _labels(g: Graph, node: URIRef, en: str, local: str = "", lang: str = "") -> None:
    g.add((node, RDFS.label, Literal(en, lang="en")))
    g.add((node, SKOS.prefLabel, Literal(en, lang="en")))
    if local and lang and lang != "en":  # the name in its own language is the preferred label in that language
        g.add((node, RDFS.label, Literal(local, lang=lang)))
        g.add((node, SKOS.prefLabel, Literal(local, lang=lang)))
    elif local and lang == "en" and local != en:
        g.add((node, SKOS.altLabel, Literal(local, lang="en")))


def _links(g: Graph, node: URIRef, row: Row) -> None:
    """The same place in Wikidata and GeoNames: schema:sameAs, which (unlike skos:exactMatch, whose SKOS
    domain and range are skos:Concept, or owl:sameAs) makes no class of either end."""
    if row["wikidata"]:
        g.add((node, SCHEMA.sameAs, WD[row["wikidata"]]))
    if row["geonames"]:
        g.add((node, SCHEMA.sameAs, GN[row["geonames"] + "/"]))


def _point(g: Graph, node: URIRef, row: Row) -> URIRef | None:
    """A place's point (data/places.csv's lat and long, taken from GeoNames by scripts/geocode): W3C WGS84
    geo:lat / geo:long on the place, and schema:geo, a schema:GeoCoordinates node citing its GeoNames record."""
    if not row["lat"] or not row["long"]:
        return None
    lat, long = Literal(row["lat"], datatype=XSD.decimal), Literal(row["long"], datatype=XSD.decimal)
    point = URIRef(f"{node}/geo")
    g.add((node, GEO.lat, lat))
    g.add((node, GEO.long, long))
    g.add((node, SCHEMA.geo, point))
    g.add((point, RDF.type, SCHEMA.GeoCoordinates))
    g.add((point, RDFS.label, Literal(f"Coordinates of {row['name_en']}", lang="en")))
    g.add((point, SCHEMA.latitude, lat))
    g.add((point, SCHEMA.longitude, long))
    if row["geonames"]:
        g.add((point, DCT.source, GN[row["geonames"] + "/"]))
    return point


def add_reference(asm: Assembly, ref: Reference, mint: Minter, root: Path) -> None:
    name = mint.graph("reference")
    g = asm.graph(name, *ref.files.values())
    asm.networks = list(ref.network_slugs)
    _add_countries(asm, g, ref, mint)
    _add_places(asm, g, ref, mint)
    _add_municipalities(asm, g, ref, mint)
    _add_events(asm, g, ref, mint)
    _add_turtle_files(asm, g, ref, mint)
    for key in ("countries", "places", "municipalities", "events", "network", "themes"):
        path = ref.files[key]
        raw = path.read_bytes()
        fmt = "text/csv" if path.suffix == ".csv" else "text/turtle"
        doc = source_document(g, mint, root, path, hashlib.sha256(raw).hexdigest(), len(raw), fmt)
        asm.origins[doc] = (path, 1)


def _add_countries(asm: Assembly, g: Graph, ref: Reference, mint: Minter) -> None:
    for code, row in ref.countries.items():
        node = mint.country(code)
        g.add((node, RDF.type, SCHEMA.Country))
        _labels(g, node, row["name_en"], row["name_local"], row["lang_local"])
        if row["alt_en"]:
            g.add((node, SKOS.altLabel, Literal(row["alt_en"], lang="en")))
        g.add((node, SCHEMA.identifier, Literal(code.upper())))
        _links(g, node, row)
        asm.origins[node] = row.origin


def _add_places(asm: Assembly, g: Graph, ref: Reference, mint: Minter) -> None:
    for slug, row in ref.places.items():
        node = mint.place(slug)
        g.add((node, RDF.type, SCHEMA[row["type"]]))
        _labels(g, node, row["name_en"], row["name_local"], row["lang_local"])
        g.add((node, B40.country, mint.country(row["country"])))
        g.add((node, SCHEMA.containedInPlace, mint.country(row["country"])))
        if row["within"]:
            g.add((node, SCHEMA.containedInPlace, mint.place(row["within"])))
        _links(g, node, row)
        point = _point(g, node, row)
        if point is not None:
            asm.origins[point] = row.origin
        asm.origins[node] = row.origin


def _add_municipalities(asm: Assembly, g: Graph, ref: Reference, mint: Minter) -> None:
    for slug, row in ref.municipalities.items():
        node = mint.municipality(slug)
        place = ref.places[row["place"]]
        g.add((node, RDF.type, B40.Municipality))
        _labels(g, node, row["name_en"], row["name_local"], row["lang_local"])
        g.add((node, DCT.identifier, Literal(slug)))
        g.add((node, DCT.spatial, mint.place(row["place"])))
        g.add((node, B40.country, mint.country(place["country"])))
        asm.origins[node] = row.origin


def _add_events(asm: Assembly, g: Graph, ref: Reference, mint: Minter) -> None:
    for slug, row in ref.events.items():
        node = mint.event(slug)
        g.add((node, RDF.type, B40.Event))
        g.add((node, RDFS.label, Literal(row["name_en"], lang="en")))
        g.add((node, SCHEMA.name, Literal(row["name_en"], lang="en")))
        g.add((node, SCHEMA.startDate, Literal(dt.date.fromisoformat(row["start"]))))
        g.add((node, SCHEMA.endDate, Literal(dt.date.fromisoformat(row["end"] or row["start"]))))
        if row["place"]:
            g.add((node, SCHEMA.location, mint.place(row["place"])))
        if row["organizer"]:
            g.add((node, SCHEMA.organizer, mint.municipality(row["organizer"])))
        if row["founded_network"]:
            g.add((node, RDF.type, ORG.ChangeEvent))
            g.add((node, ORG.resultingOrganization, mint.network(row["founded_network"])))
        asm.origins[node] = row.origin


def _add_turtle_files(asm: Assembly, g: Graph, ref: Reference, mint: Minter) -> None:
    """data/network.ttl and data/themes.ttl as they are, each subject with the line that describes it."""
    for extra in (ref.network, ref.themes_graph):
        for triple in extra:
            g.add(triple)
    for key in ("network", "themes"):
        for subject in set(ref.network.subjects() if key == "network" else ref.themes_graph.subjects()):
            if isinstance(subject, URIRef):
                needle = str(subject).removeprefix(mint.base)
                tail = needle.rsplit("/", 1)[-1]
                line = locate_in_file(ref.files[key], needle) or locate_in_file(ref.files[key], ":" + tail)
                asm.origins[subject] = (ref.files[key], line)
