"""What makes a page read well, apart from the data: names for terms the data gives no label, the sort key
that files Çanakkale with the C's (core.text's, which every list and search result is sorted by), the
folding of statements that say the same thing twice, and the names of the languages a reader may switch
to."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from b40graph.core.text import sort_key
from b40graph.core.vocab import PREFIXES

#: Names of common terms whose vocabulary the ontology gives no label (the data's labels win when present).
TERM_NAMES = {
    PREFIXES["rdf"] + "type": "type",
    PREFIXES["rdfs"] + "subClassOf": "subclass of",
    PREFIXES["rdfs"] + "subPropertyOf": "subproperty of",
    PREFIXES["rdfs"] + "domain": "domain",
    PREFIXES["rdfs"] + "range": "range",
    PREFIXES["rdfs"] + "isDefinedBy": "defined by",
    PREFIXES["owl"] + "inverseOf": "inverse of",
    PREFIXES["owl"] + "propertyChainAxiom": "property chain",
    PREFIXES["owl"] + "disjointWith": "disjoint with",
    PREFIXES["owl"] + "equivalentClass": "equivalent class",
    PREFIXES["owl"] + "equivalentProperty": "equivalent property",
    PREFIXES["rdfs"] + "label": "label",
    PREFIXES["rdfs"] + "comment": "comment",
    PREFIXES["rdfs"] + "seeAlso": "see also",
    PREFIXES["skos"] + "prefLabel": "preferred label",
    PREFIXES["skos"] + "altLabel": "alternative label",
    PREFIXES["skos"] + "hiddenLabel": "hidden label",
    PREFIXES["skos"] + "definition": "definition",
    PREFIXES["skos"] + "exactMatch": "exact match",
    PREFIXES["skos"] + "closeMatch": "close match",
    PREFIXES["skos"] + "inScheme": "in scheme",
    PREFIXES["skos"] + "topConceptOf": "top concept of",
    PREFIXES["skos"] + "hasTopConcept": "top concept",
    PREFIXES["skos"] + "Concept": "Concept",
    PREFIXES["skos"] + "ConceptScheme": "Concept scheme",
    PREFIXES["dct"] + "identifier": "identifier",
    PREFIXES["dct"] + "title": "title",
    PREFIXES["dct"] + "issued": "date issued",
    PREFIXES["dct"] + "date": "date",
    PREFIXES["dct"] + "language": "language",
    PREFIXES["dct"] + "publisher": "publisher",
    PREFIXES["dct"] + "source": "source",
    PREFIXES["dct"] + "spatial": "place",
    PREFIXES["dct"] + "description": "description",
    PREFIXES["dct"] + "license": "licence",
    PREFIXES["dct"] + "modified": "modified",
    PREFIXES["dct"] + "created": "created",
    PREFIXES["foaf"] + "name": "name",
    PREFIXES["foaf"] + "givenName": "given name",
    PREFIXES["foaf"] + "familyName": "family name",
    PREFIXES["foaf"] + "Person": "Person",
    PREFIXES["schema"] + "text": "text",
    PREFIXES["schema"] + "position": "position",
    PREFIXES["schema"] + "name": "name",
    PREFIXES["schema"] + "sameAs": "same as",
    PREFIXES["schema"] + "startDate": "start date",
    PREFIXES["schema"] + "endDate": "end date",
    PREFIXES["schema"] + "location": "location",
    PREFIXES["schema"] + "locationCreated": "place adopted",
    PREFIXES["schema"] + "organizer": "organiser",
    PREFIXES["schema"] + "containedInPlace": "contained in place",
    PREFIXES["org"] + "resultingOrganization": "resulting organisation",
    PREFIXES["org"] + "resultedFrom": "resulted from",
    PREFIXES["time"] + "inXSDDate": "date",
    PREFIXES["time"] + "hasBeginning": "beginning",
    PREFIXES["time"] + "hasEnd": "end",
    PREFIXES["spdx"] + "checksum": "checksum",
    PREFIXES["spdx"] + "checksumValue": "checksum value",
    PREFIXES["spdx"] + "algorithm": "algorithm",
    PREFIXES["prov"] + "wasDerivedFrom": "derived from",
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def humanize(iri: str) -> str:
    """A name for a term from its IRI: the table's, else its local name in words (`familyName` → `family
    name`, `GovernmentOrganization` → `Government organization`); never a prefixed name."""
    known = TERM_NAMES.get(iri)
    if known:
        return known
    local = re.split(r"[#/:]", iri.rstrip("/#"))[-1] or iri
    words = _CAMEL.sub(" ", local).replace("_", " ").replace("-", " ").split()
    if not words:
        return iri
    first, rest = words[0], [w.lower() if not w.isupper() else w for w in words[1:]]
    return " ".join([first, *rest])


#: Each language's name for itself, for the language switch (a tag not listed is shown as the tag).
AUTONYMS = {
    "en": "English",
    "el": "Ελληνικά",
    "tr": "Türkçe",
    "sq": "Shqip",
    "bg": "Български",
    "bs": "Bosanski",
    "hr": "Hrvatski",
    "mk": "Македонски",
    "ro": "Română",
    "sl": "Slovenščina",
    "sr": "Српски",
    "sr-Cyrl": "Српски",
    "sr-Latn": "Srpski",
    "cnr": "Crnogorski",
    "hu": "Magyar",
    "it": "Italiano",
    "de": "Deutsch",
    "fr": "Français",
}


_AUTONYMS = {tag.lower(): name for tag, name in AUTONYMS.items()}


def autonym(tag: str) -> str:
    """The name of language `tag` in itself (tags are case-insensitive: the store keeps `sr-cyrl`)."""
    lowered = tag.lower()
    return _AUTONYMS.get(lowered) or _AUTONYMS.get(lowered.split("-", 1)[0]) or tag


@dataclass
class Row:
    """A property's values as shown: values already shown under another property are folded away."""

    key: str
    label: str
    values: list[Hashable]
    inferred: set[Hashable] = field(default_factory=set)  # values stated only by the reasoner
    also: list[tuple[str, bool]] = field(default_factory=list)  # (label, inferred) of properties folded into it

    @property
    def all_inferred(self) -> bool:
        return bool(self.values) and all(v in self.inferred for v in self.values)


def fold(statements: Iterable[tuple[str, Hashable, bool]], label: Callable[[str], str], own: str = "") -> list[Row]:
    """(property, value, asserted) statements as rows, each value shown once: under an asserted property
    before an inferred one, then the most specific (fewest values), then the project's own terms (`own`
    namespace), then by name. A property all of whose values show elsewhere is named in the rows that
    show them ("also: …") instead of repeating them."""
    values: dict[str, dict[Hashable, bool]] = {}
    for prop, value, asserted in statements:
        held = values.setdefault(prop, {})
        held[value] = held.get(value, False) or asserted
    names = {p: label(p) for p in values}

    def preference(p: str) -> tuple[bool, int, bool, tuple[str, str]]:
        return (not any(values[p].values()), len(values[p]), not p.startswith(own or "\0"), sort_key(names[p]))

    rows: dict[str, Row] = {}
    shown_by: dict[Hashable, str] = {}
    for p in sorted(values, key=preference):
        fresh = [v for v in values[p] if v not in shown_by]
        if not fresh:
            inferred_only = not any(values[p].values())
            for owner in dict.fromkeys(shown_by[v] for v in values[p]):
                rows[owner].also.append((names[p], inferred_only))
            continue
        rows[p] = Row(p, names[p], fresh, {v for v in fresh if not values[p][v]})
        for v in fresh:
            shown_by[v] = p
    return sorted(rows.values(), key=lambda r: sort_key(r.label))


__all__ = ["AUTONYMS", "TERM_NAMES", "Row", "autonym", "fold", "humanize", "sort_key"]
