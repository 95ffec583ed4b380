"""What the search index holds: the kinds of entity and the reconciliation properties, the vocabulary they
are read by, and the folding of text into words and FTS5 queries (shared by the writer and the reader)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from b40graph.core.text import fold

INDEX_FILE = "search.sqlite"
SCHEMA_VERSION = "1"
MAX_RESULTS = 200  # a search ranks at most this many entities (and says "200 or more")
MAX_QUERY_CHARS = 200

B40 = "https://w3id.org/b40/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
ORG = "http://www.w3.org/ns/org#"


@dataclass(frozen=True)
class Kind:
    key: str  # municipality, person, ...
    cls: str  # the class IRI (the reconciliation type id)
    label: str  # "Municipality"


#: What is indexed, by class; an entity of several takes the first kind in this order.
KINDS = (
    Kind("clause", B40 + "Clause", "Clause"),
    Kind("declaration", B40 + "Declaration", "Declaration"),
    Kind("municipality", B40 + "Municipality", "Municipality"),
    Kind("person", FOAF + "Person", "Person"),
    Kind("network", B40 + "Network", "Network"),
    Kind("role", ORG + "Role", "Role"),  # before "theme": a role is a skos:Concept too (of the roles scheme)
    Kind("theme", SKOS + "Concept", "Theme"),
    Kind("event", B40 + "Event", "Event"),
    Kind("country", SCHEMA + "Country", "Country"),
    Kind("place", SCHEMA + "Place", "Place"),
)
KIND_BY_KEY = {k.key: k for k in KINDS}
KIND_BY_CLASS = {k.cls: k for k in KINDS}

NAME_PROPS = (RDFS + "label", SKOS + "prefLabel", FOAF + "name", SCHEMA + "name", DCT + "title")
ALIAS_PROPS = (SKOS + "altLabel",)
TEXT_PROPS = (SCHEMA + "text", SKOS + "definition", DCT + "description")
FIELD_RANK = {"name": 0, "alias": 1, "place": 2, "role": 3, "text": 4}  # lower ranks first
NAME_FIELDS = ("name", "alias", "place")  # what reconciliation compares a query with


@dataclass(frozen=True)
class Property:
    pid: str
    name: str
    description: str
    predicates: tuple[str, ...]


#: Properties a reconciliation query may constrain (`properties: [{"pid": "country", "v": "Greece"}]`).
PROPERTIES = (
    Property("country", "Country", "the country of a municipality or place", (B40 + "country",)),
    Property(
        "place",
        "Place",
        "the place of a municipality, or where a declaration was adopted or an event held",
        (DCT + "spatial", SCHEMA + "locationCreated", SCHEMA + "location", SCHEMA + "containedInPlace"),
    ),
    Property(
        "sameAs",
        "Same as",
        "an identifier elsewhere: a Wikidata (Q1524) or GeoNames IRI",
        (SCHEMA + "sameAs", OWL + "sameAs"),
    ),
    Property("network", "Network", "the network a municipality is a member of", (ORG + "memberOf",)),
    Property("identifier", "Identifier", "the dataset's identifier (slug or code)", (DCT + "identifier",)),
)
PROPERTY_BY_PID = {p.pid: p for p in PROPERTIES}

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Select = Callable[[str, dict[str, Term]], list[dict[str, Term]]]


class SearchError(ValueError):
    """A search or reconciliation request that cannot be answered as asked (a 400)."""


class SearchUnavailable(Exception):
    """No index to answer from yet (a 503): `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- folding and FTS5 queries ------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The words of `text` folded, as FTS5's unicode61 tokenizer splits them (letters and digits)."""
    return _TOKEN.findall(fold(text))


def fts_query(text: str, prefix: bool = True) -> str | None:
    """An FTS5 query that finds every word of `text` (AND), the words of 2 letters or more also as prefixes.
    Every word is a quoted string, so FTS5 syntax in the input (`"`, `*`, `OR`, `NEAR(`, `col:`) is text."""
    words = tokens(text)[:16]
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' + ("*" if prefix and len(w) > 1 else "") for w in words)


def trigram_query(norm: str) -> str | None:
    text = " ".join(_TOKEN.findall(norm))
    grams = list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))
    grams = [g for g in grams if g.strip()][:40]
    if not grams:
        return None
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)


def similarity(a: str, b: str) -> float:
    """How alike two folded names are, 0..1 (1: the same)."""
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
