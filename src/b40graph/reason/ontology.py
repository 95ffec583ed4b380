"""What the reasoner reads: the ontology and the other vocabularies' axioms (ontology/alignment.ttl)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from b40graph.core.errors import DataError, Problem, UsageError
from b40graph.core.rdfio import canonical
from b40graph.core.settings import Settings


def parse_turtle(path: Path, what: str) -> Graph:
    """A Turtle file of the project (the ontology, the alignment, the shapes), blank nodes labelled stably."""
    if not path.is_file():
        raise UsageError(f"{path}: the {what} file is missing")
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as err:  # noqa: BLE001 - rdflib parsers raise many types
        raise DataError(Problem(f"the {what} does not parse: {err}", path)) from None
    return canonical(graph)  # blank nodes (RDF lists of property chains) get stable labels


def reasoning_ontology(settings: Settings, ontology: Graph) -> Graph:
    """The ontology and the other vocabularies' axioms restated for reasoning (ontology/alignment.ttl): what
    the reasoner reads. Only the ontology is published (graph/ontology)."""
    combined = Graph()
    for source in (ontology, parse_turtle(settings.alignment_file, "alignment")):
        for triple in source:
            combined.add(triple)
    return combined
