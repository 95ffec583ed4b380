"""Namespaces used across b40graph (one place, so prefixes agree everywhere)."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, VOID, XSD

B40 = Namespace("https://w3id.org/b40/ontology#")
ONTOLOGY_IRI = "https://w3id.org/b40/ontology"
SCHEMA = Namespace("https://schema.org/")
CV = Namespace("http://data.europa.eu/m8g/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
GN = Namespace("https://sws.geonames.org/")
SDG = Namespace("http://metadata.un.org/sdg/")
ISO639 = Namespace("http://id.loc.gov/vocabulary/iso639-1/")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")

DEFAULT_BASE = "https://w3id.org/b40/"

PREFIXES: dict[str, str] = {
    "b40": str(B40),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "org": str(ORG),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "cv": str(CV),
    "time": str(TIME),
    "spdx": str(SPDX),
    "dcat": str(DCAT),
    "void": str(VOID),
    "sd": str(SD),
    "sdg": str(SDG),
    "wd": str(WD),
    "gn": str(GN),
    "geo": str(GEO),
}
