"""IRI minting under the configured base (see docs/model.md for the patterns)."""

from __future__ import annotations

from rdflib import URIRef

from b40graph.core.text import slugify


class Minter:
    def __init__(self, base: str) -> None:
        self.base = base

    def __call__(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def network(self, slug: str) -> URIRef:
        return self(f"id/network/{slug}")

    def municipality(self, slug: str) -> URIRef:
        return self(f"id/municipality/{slug}")

    def place(self, slug: str) -> URIRef:
        return self(f"id/place/{slug}")

    def country(self, code: str) -> URIRef:
        return self(f"id/country/{code.lower()}")

    def event(self, slug: str) -> URIRef:
        return self(f"id/event/{slug}")

    def declaration(self, ident: str) -> URIRef:
        return self(f"id/declaration/{ident}")

    def source(self, stem: str) -> URIRef:
        return self(f"id/source/{slugify(stem)}")

    def person(self, given: str, family: str) -> URIRef:
        return self(f"id/person/{slugify(given + ' ' + family)}")

    def role(self, title: str) -> URIRef:
        return self(f"id/role/{slugify(title)}")

    def roles(self) -> URIRef:
        """The SKOS concept scheme of the roles (signatory roles and membership roles)."""
        return self("id/roles")

    def membership(self, network: str, municipality: str) -> URIRef:
        return self(f"id/membership/{network}/{municipality}")

    def graph(self, name: str) -> URIRef:
        return self(f"graph/{name}")

    def dataset(self) -> URIRef:
        return self("id/dataset")
