"""The named graph of one declaration (graph/declaration/ID): the declaration and its source document, its
links to the reference data, its clauses, the commitments they state and the signatures (with the persons and
roles they name, and the memberships a founding declaration makes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, ORG, PROV, RDF, RDFS

from b40graph.core.errors import Problems
from b40graph.core.iris import Minter
from b40graph.core.text import plain, proper_family_name
from b40graph.core.vocab import B40, ISO639, SCHEMA
from b40graph.model.nodes import Assembly, add_publisher, membership_node, role_node, source_document
from b40graph.model.themes import tag, warn_without_labels
from b40graph.sources.declaration import OPERATIVE, ParsedText, SignatureBlock, parse_text
from b40graph.sources.files import SourceFile
from b40graph.sources.reference import Reference


def _role_title(sig: SignatureBlock, slug: str, ref: Reference) -> str:
    """'Head of International Cooperation and EU Integration of Municipality of Prishtina' -> the part before
    the leftmost ' of ' whose remainder names the municipality the signature is for."""
    words = sig.role.split(" ")
    for i, word in enumerate(words):
        remainder = " ".join(words[i + 1 :])
        if word.lower() == "of" and 0 < i < len(words) - 1 and ref.resolve_municipality(remainder) == slug:
            return " ".join(words[:i])
    return sig.role


def add_declaration(
    asm: Assembly, src: SourceFile, ref: Reference, mint: Minter, root: Path, problems: Problems
) -> None:
    """The named graph of one declaration: the declaration itself, its references to the reference data,
    its clauses, the commitments they state and the signatures."""
    parsed = parse_text(src.path, src.body, src.body_first_line)
    asm.parsed[src.id] = parsed
    g = asm.graph(mint.graph(f"declaration/{src.id}"), src.path)
    decl = mint.declaration(src.id)
    title = _add_declaration_node(asm, g, src, mint, root, decl)
    _add_declaration_links(g, src, ref, mint, decl, problems)
    _check_printed_date(src, parsed, problems)
    clause_nodes = _add_clauses(asm, g, src, parsed, decl, title)
    _add_commitments(asm, g, src, parsed, ref, decl, clause_nodes, problems)
    _add_signatures(asm, g, src, parsed, ref, mint, decl, problems)


def _add_declaration_node(asm: Assembly, g: Graph, src: SourceFile, mint: Minter, root: Path, decl: URIRef) -> str:
    """The declaration's own triples and its source document; returns its title (plain text)."""
    path, line = src.path, src.meta_lines
    lang = str(src.meta["language"])
    asm.origins[decl] = (path, line.get("id"))
    g.add((decl, RDF.type, B40.Declaration))
    g.add((decl, DCT.identifier, Literal(src.id)))
    title = plain(str(src.meta["title"]))  # the published title is plain text, without Markdown
    g.add((decl, DCT.title, Literal(title, lang=lang)))
    g.add((decl, RDFS.label, Literal(title, lang=lang)))
    g.add((decl, DCT.issued, Literal(src.adopted)))
    g.add((decl, DCT.language, ISO639[lang.split("-", maxsplit=1)[0].lower()]))
    g.add((decl, SCHEMA.text, Literal(src.body, lang=lang)))
    if src.meta.get("url"):
        g.add((decl, SCHEMA.url, URIRef(str(src.meta["url"]))))
    doc = source_document(g, mint, root, path, src.sha256, src.size, "text/markdown")
    g.add((doc, DCT.description, Literal(" ".join(str(src.meta["source"]).split()), lang="en")))
    g.add((decl, DCT.source, doc))
    asm.origins[doc] = (path, line.get("source"))
    return title


def _add_declaration_links(
    g: Graph, src: SourceFile, ref: Reference, mint: Minter, decl: URIRef, problems: Problems
) -> None:
    """The publisher (a network), the event and the place of the front matter, each checked against the
    reference data."""
    path, line = src.path, src.meta_lines
    add_publisher(g, decl, src, ref, mint, problems)
    references = (  # front-matter key, known slugs, where they are, the fix, the triple it makes
        (
            "event",
            ref.events,
            "data/events.csv",
            f"use one of: {', '.join(sorted(ref.events))}, or add a row to data/events.csv",
            B40.adoptedAt,
            mint.event,
        ),
        (
            "place",
            ref.places,
            "data/places.csv",
            "use a slug from data/places.csv, or add the place",
            SCHEMA.locationCreated,
            mint.place,
        ),
    )
    for key, known, where, fix, prop, minted in references:
        if src.meta.get(key):
            ref_slug = str(src.meta[key])
            if ref_slug not in known:
                problems.add(f"{key} '{ref_slug}' is not in {where}", path, line.get(key), fix)
            g.add((decl, prop, minted(ref_slug)))


def _check_printed_date(src: SourceFile, parsed: ParsedText, problems: Problems) -> None:
    if parsed.date is not None and parsed.date != src.adopted:
        problems.add(
            f"the text says 'Date: {parsed.date:%d.%m.%Y}' but the front matter says adopted: {src.adopted}",
            src.path,
            parsed.date_line,
            "make the front matter's 'adopted' agree with the date printed in the text",
        )


def _add_clauses(
    asm: Assembly, g: Graph, src: SourceFile, parsed: ParsedText, decl: URIRef, title: str
) -> dict[int, URIRef]:
    """One node per clause; returns them by position."""
    lang = str(src.meta["language"])
    clause_nodes = {}
    for clause in parsed.clauses:
        node = URIRef(f"{decl}/clause/{clause.position}")
        clause_nodes[clause.position] = node
        asm.origins[node] = (src.path, clause.line)
        kind = B40.OperativeClause if clause.kind == OPERATIVE else B40.PreambleClause
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, Literal(f"Clause {clause.position} of {title}", lang="en")))
        g.add((node, SCHEMA.position, Literal(clause.position)))
        g.add((node, SCHEMA.text, Literal(clause.text, lang=lang)))
        g.add((decl, B40.hasClause, node))
        g.add((node, B40.clauseOf, decl))
    return clause_nodes


@dataclass
class _Commitments:
    """Where the commitments of one declaration go."""

    asm: Assembly
    g: Graph
    decl: URIRef
    path: Path
    lang: str
    clause_nodes: dict[int, URIRef]

    def commit(
        self,
        clause_pos: int,
        theme_iri: URIRef,
        theme_slug: str,
        label: Literal,
        origin_line: int | None,
        text: str | None,
    ) -> None:
        """A tagged commitment (with the words of the clause that matched, `text`) or, without text, a curated one."""
        g, decl = self.g, self.decl
        node = URIRef(f"{decl}/clause/{clause_pos}/commitment/{theme_slug}")
        self.asm.origins[node] = (self.path, origin_line)
        g.add((node, RDF.type, B40.Commitment))
        g.add((node, RDF.type, B40.CuratedCommitment if text is None else B40.TaggedCommitment))
        g.add((node, RDFS.label, Literal(f"Clause {clause_pos} commits to {label}", lang="en")))
        g.add((node, B40.theme, theme_iri))
        g.add((node, B40.statedIn, self.clause_nodes[clause_pos]))
        g.add((node, B40.matchedLabel, label))
        if text is not None:
            g.add((node, B40.matchedText, Literal(text, lang=self.lang)))
        g.add((decl, B40.hasCommitment, node))


def _add_commitments(
    asm: Assembly,
    g: Graph,
    src: SourceFile,
    parsed: ParsedText,
    ref: Reference,
    decl: URIRef,
    clause_nodes: dict[int, URIRef],
    problems: Problems,
) -> None:
    """The commitments the tagger finds in the clauses, then those the front matter's `themes:` lists."""
    path, line = src.path, src.meta_lines
    lang = str(src.meta["language"])
    out = _Commitments(asm, g, decl, path, lang, clause_nodes)
    tagged: dict[tuple[int, URIRef], Literal] = {}
    warn_without_labels(ref.themes, lang, path)
    for match in tag(parsed.clauses, ref.themes, lang):
        text = match.clause.text[match.start : match.end]
        out.commit(match.clause.position, match.theme.iri, match.theme.slug, match.label, match.clause.line, text)
        tagged[(match.clause.position, match.theme.iri)] = match.label
    for label, position in (src.meta.get("themes") or {}).items():
        theme = ref.theme_by_label(str(label))
        if theme is None:
            problems.add(
                f"the theme label '{label}' matches no theme in data/themes.ttl",
                path,
                line.get("themes"),
                "use a skos:prefLabel or skos:altLabel from data/themes.ttl, or add the theme there",
            )
        elif position not in clause_nodes:
            problems.add(
                f"theme '{label}' points at clause {position}, but the text has clauses 1-{len(clause_nodes)}",
                path,
                line.get("themes"),
                "give the number of the clause that states the commitment",
            )
        elif (position, theme.iri) in tagged:
            problems.add(
                f"theme '{label}' of clause {position} is found by the tagger already "
                f"(the label '{tagged[(position, theme.iri)]}' occurs in the clause)",
                path,
                line.get("themes"),
                "remove this entry from 'themes:': list by hand only the commitments the tagger does not find",
            )
        else:
            out.commit(position, theme.iri, theme.slug, Literal(str(label), lang=lang), line.get("themes"), None)


def _add_signatures(
    asm: Assembly,
    g: Graph,
    src: SourceFile,
    parsed: ParsedText,
    ref: Reference,
    mint: Minter,
    decl: URIRef,
    problems: Problems,
) -> None:
    """The signature blocks, each municipality once."""
    signed_on = parsed.date or src.adopted
    signed: dict[str, int] = {}  # municipality slug -> the line of its first signature
    for sig in parsed.signatures:
        slug = ref.resolve_municipality(sig.party)
        if slug is not None and slug in signed:
            problems.add(
                f"'On behalf of {sig.party}' signs a second time for the municipality '{slug}' "
                f"(first on line {signed[slug]})",
                src.path,
                sig.line,
                "a municipality signs a declaration once: remove one of the two signature blocks",
            )
            continue
        if slug is not None:
            signed[slug] = sig.line
        _add_signature(asm, g, sig, decl, signed_on, src, ref, mint, problems)


def _add_signature(
    asm: Assembly,
    g: Graph,
    sig: SignatureBlock,
    decl: URIRef,
    signed_on: dt.date,
    src: SourceFile,
    ref: Reference,
    mint: Minter,
    problems: Problems,
) -> None:
    path = src.path
    slug = ref.resolve_municipality(sig.party)
    if slug is None:
        _unknown_municipality(sig, path, ref, problems)
        return
    if not sig.role:
        return  # the parser already reported it
    muni = mint.municipality(slug)
    node = URIRef(f"{decl}/signature/{slug}")
    asm.origins[node] = (path, sig.line)
    turkic = ref.places[ref.municipalities[slug]["place"]]["country"] == "tr"
    family = proper_family_name(sig.family_name_printed, turkic)
    person = mint.person(sig.given_name, family)
    asm.weak_origin(person, (path, sig.name_line))
    full = f"{sig.given_name} {family}"
    title = _role_title(sig, slug, ref)
    role = mint.role(title)
    asm.weak_origin(role, (path, sig.role_line))

    g.add((node, RDF.type, B40.Signature))
    g.add(
        (
            node,
            RDFS.label,
            Literal(f"Signature of {full} on behalf of {ref.municipalities[slug]['name_en']}", lang="en"),
        )
    )
    g.add((decl, B40.hasSignature, node))
    g.add((node, PROV.agent, person))
    g.add((node, B40.onBehalfOf, muni))
    g.add((node, B40.signatoryRole, role))
    g.add((node, DCT.date, Literal(signed_on)))
    g.add((node, B40.roleText, Literal(sig.role)))
    g.add((node, B40.nameAsPrinted, Literal(sig.name)))
    g.add((person, RDF.type, FOAF.Person))
    g.add((person, FOAF.name, Literal(full)))
    g.add((person, RDFS.label, Literal(full)))
    g.add((person, FOAF.givenName, Literal(sig.given_name)))
    g.add((person, FOAF.familyName, Literal(family)))
    g.add((role, RDF.type, B40.SignatoryRole))
    role_node(asm, g, mint, role, title, (path, sig.role_line))
    if src.meta.get("founding") and src.meta.get("publisher"):
        _add_founding_membership(asm, g, sig, decl, src, ref, mint, slug)


def _unknown_municipality(sig: SignatureBlock, path: Path, ref: Reference, problems: Problems) -> None:
    close = ref.suggest_municipality(sig.party)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    problems.add(
        f"'On behalf of {sig.party}' names a municipality that is not in the reference data{hint}",
        path,
        sig.line,
        "add the municipality to data/municipalities.csv (and its place to data/places.csv), "
        "or add this spelling to its 'aliases' column",
    )


def _add_founding_membership(
    asm: Assembly, g: Graph, sig: SignatureBlock, decl: URIRef, src: SourceFile, ref: Reference, mint: Minter, slug: str
) -> None:
    """A founding declaration's signature makes its municipality a founding member of the publisher."""
    network = str(src.meta["publisher"])
    founding = mint.role("founding member")
    muni_name = ref.municipalities[slug]["name_en"]
    membership, _ = membership_node(g, mint, network, slug, muni_name, "founding member", founding, src.adopted)
    asm.origins[membership] = (src.path, sig.line)
    g.add((membership, PROV.wasDerivedFrom, decl))
    g.add((founding, RDF.type, ORG.Role))
    role_node(asm, g, mint, founding, "Founding member", (src.path, sig.line))
