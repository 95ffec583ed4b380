"""From parsed sources and reference data to RDF: one named graph per source file, one for reference data.

`assemble` reads every source into one `Assembly` (model/nodes.py), in order: the reference graph
(model/reference_graph.py), each declaration (model/declarations.py), the translations once every original
is read (model/translations.py), and the memberships of data/memberships.csv (model/memberships.py).
model/cached.py does the same source by source, cached.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import ORG, RDF

from b40graph.core.errors import DataError, Problems
from b40graph.core.iris import Minter
from b40graph.core.text import slugify
from b40graph.model import translations as tr
from b40graph.model.declarations import add_declaration
from b40graph.model.memberships import add_memberships
from b40graph.model.nodes import Assembly, Origin
from b40graph.model.reference_graph import add_reference
from b40graph.sources.files import SourceFile
from b40graph.sources.reference import Reference


def assemble(sources: list[SourceFile], ref: Reference, mint: Minter, root: Path) -> Assembly:
    asm = Assembly()
    problems = Problems()
    add_reference(asm, ref, mint, root)
    seen: dict[str, Path] = {}
    versions: list[SourceFile] = []  # translations, added once every original is read
    for src in sources:
        if src.id in seen:
            problems.add(
                f"id '{src.id}' is already used by {seen[src.id]}",
                src.path,
                src.meta_lines.get("id"),
                "give every declaration its own id",
            )
            continue
        seen[src.id] = src.path
        if tr.original_id(src) is not None:
            versions.append(src)
            continue
        try:
            add_declaration(asm, src, ref, mint, root, problems)
        except DataError as err:
            problems.extend(err)
    originals = {s.id: tr.Original(s, asm.parsed[s.id]) for s in sources if seen[s.id] == s.path and s.id in asm.parsed}
    tr.add_translations(asm, versions, originals, ref, mint, root, problems, set(asm.parsed))
    existing = {
        str(m): asm.origins.get(m, (Path(), None))
        for graph in asm.graphs.values()
        for m in graph.subjects(RDF.type, ORG.Membership)
        if isinstance(m, URIRef)
    }
    add_memberships(asm, ref, mint, root, seen, existing, problems)
    problems.raise_if_any()
    return asm


__all__ = ["Assembly", "Origin", "add_declaration", "add_memberships", "add_reference", "assemble", "slugify"]
