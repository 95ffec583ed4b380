"""The memberships of data/memberships.csv in their own named graph (graph/memberships)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import ORG, PROV, RDF, TIME

from b40graph.core.errors import Problems
from b40graph.core.iris import Minter
from b40graph.core.vocab import B40
from b40graph.model.nodes import Assembly, Origin, membership_node, role_node, source_document
from b40graph.sources.reference import Reference, Row

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def add_memberships(
    asm: Assembly,
    ref: Reference,
    mint: Minter,
    root: Path,
    declarations: dict[str, Path],
    existing: dict[str, Origin],
    problems: Problems,
) -> URIRef | None:
    """The members of data/memberships.csv in their own named graph, graph/memberships.

    `declarations` are the ids of the declarations read (a row's basis may name one), `existing` the
    memberships the founding declarations made (IRI -> origin): a member is recorded once."""
    path = ref.memberships_file
    if path is None:
        return None
    name = mint.graph("memberships")
    g = asm.graph(name, path)
    raw = path.read_bytes()
    doc = source_document(g, mint, root, path, hashlib.sha256(raw).hexdigest(), len(raw), "text/csv")
    asm.origins[doc] = (path, 1)
    for row in ref.memberships:
        if _refused(row, mint, declarations, existing, problems):
            continue
        _add_member(asm, g, ref, mint, row, doc, declarations)
    return name


def _refused(
    row: Row, mint: Minter, declarations: dict[str, Path], existing: dict[str, Origin], problems: Problems
) -> bool:
    """True (and the problem added) for a member recorded already, or a basis that looks like a declaration's
    id but names none."""
    network, slug, basis = row["network"], row["municipality"], row["basis"]
    iri = str(mint.membership(network, slug))
    if iri in existing:
        where = existing[iri]
        problems.add(
            f"'{slug}' is already a member of '{network}' by the founding declaration ({where[0]}:{where[1]})",
            *row.origin,
            "remove this row: a signatory of a founding declaration is a founding member",
        )
        return True
    if basis not in declarations and _SLUG.match(basis) and basis != "founding":
        problems.add(
            f"the basis '{basis}' is not the id of a declaration in data/declarations",
            *row.origin,
            "give a declaration's id, 'founding', or a reference to the decision in words or as a URL",
        )
        return True
    return False


def _add_member(
    asm: Assembly, g: Graph, ref: Reference, mint: Minter, row: Row, doc: URIRef, declarations: dict[str, Path]
) -> None:
    """One row: the membership, its role, its basis and, for a member that left, the end of its period."""
    network, slug, basis = row["network"], row["municipality"], row["basis"]
    founding = basis == "founding"
    role = mint.role("founding member" if founding else "member")
    joined = dt.date.fromisoformat(row["joined"])
    label = "founding member" if founding else f"member since {joined}"
    muni = ref.municipalities[slug]["name_en"]
    membership, period = membership_node(g, mint, network, slug, muni, label, role, joined)
    asm.origins[membership] = row.origin
    g.add((role, RDF.type, ORG.Role))
    role_node(asm, g, mint, role, "Founding member" if founding else "Member", row.origin)
    g.add((membership, PROV.wasDerivedFrom, doc))
    if basis in declarations:
        g.add((membership, PROV.wasDerivedFrom, mint.declaration(basis)))
    elif basis.startswith(("http://", "https://")):
        g.add((membership, DCT.source, URIRef(basis)))
    elif not founding:
        g.add((membership, DCT.description, Literal(f"Basis: {basis}", lang="en")))
    if row["left"]:
        end = URIRef(f"{period}/end")
        g.add((period, TIME.hasEnd, end))
        g.add((end, RDF.type, TIME.Instant))
        left = Literal(dt.date.fromisoformat(row["left"]))
        g.add((end, TIME.inXSDDate, left))
        g.add((membership, B40.memberUntil, left))
