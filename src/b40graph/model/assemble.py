"""From parsed sources and reference data to RDF: one named graph per source file, one for reference data.

Every node minted here gets an IRI (no blank nodes) and an origin (file, line) so that a SHACL
violation on it can be reported where the curator can fix it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from b40graph.core.errors import DataError, Problems
from b40graph.core.iris import Minter
from b40graph.core.text import plain, proper_family_name, slugify
from b40graph.core.vocab import B40, GEO, GN, ISO639, SCHEMA, SPDX, WD
from b40graph.model import translations as tr
from b40graph.model.themes import tag, warn_without_labels
from b40graph.sources.declaration import OPERATIVE, ParsedText, SignatureBlock, parse_text
from b40graph.sources.files import SourceFile
from b40graph.sources.reference import Reference, Row, locate_in_file

Origin = tuple[Path, int | None]
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class Assembly:
    graphs: dict[URIRef, Graph] = field(default_factory=dict)
    origins: dict[URIRef, Origin] = field(default_factory=dict)
    graph_sources: dict[URIRef, list[Path]] = field(default_factory=dict)
    parsed: dict[str, ParsedText] = field(default_factory=dict)
    networks: list[str] = field(default_factory=list)
    weak: set[URIRef] = field(default_factory=set)  # origins set only if no other source set one first
    factory: type = Graph  # the fast build collects triples in nt.TripleBag instead

    def weak_origin(self, node: URIRef, origin: Origin) -> None:
        self.weak.add(node)
        self.origins.setdefault(node, origin)

    def graph(self, name: URIRef, *sources: Path) -> Graph:
        self.graph_sources[name] = list(sources)
        return self.graphs.setdefault(name, self.factory())


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


def _role(asm: Assembly, g: Graph, mint: Minter, role: URIRef, label: str, origin: Origin) -> None:
    """A role as a concept of the roles scheme (ORG makes every org:Role a skos:Concept): its label and
    preferred label in English, and its scheme, which lists every role as a top concept (a flat list)."""
    scheme = mint.roles()
    g.add((role, RDF.type, SKOS.Concept))
    g.add((role, RDFS.label, Literal(label, lang="en")))
    g.add((role, SKOS.prefLabel, Literal(label, lang="en")))
    g.add((role, SKOS.inScheme, scheme))
    g.add((role, SKOS.topConceptOf, scheme))
    g.add((scheme, SKOS.hasTopConcept, role))
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for p in (RDFS.label, SKOS.prefLabel, DCT.title):
        g.add((scheme, p, Literal("Roles", lang="en")))
    g.add(
        (
            scheme,
            DCT.description,
            Literal("The offices in which persons signed declarations, and the roles of members in a network.", "en"),
        )
    )
    asm.weak_origin(scheme, origin)


def _source_document(g: Graph, mint: Minter, root: Path, path: Path, raw_sha: str, size: int, fmt: str) -> URIRef:
    node = mint.source(path.stem)
    checksum = URIRef(str(node) + "/sha256")
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    g.add((node, RDF.type, B40.SourceDocument))
    g.add((node, RDFS.label, Literal(rel, lang="en")))
    g.add((node, B40.path, Literal(rel)))
    g.add((node, DCT.format, Literal(fmt)))
    g.add((node, SCHEMA.contentSize, Literal(size, datatype=XSD.integer)))
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(raw_sha, datatype=XSD.hexBinary)))
    return node


def add_reference(asm: Assembly, ref: Reference, mint: Minter, root: Path) -> None:
    name = mint.graph("reference")
    g = asm.graph(name, *ref.files.values())
    asm.networks = list(ref.network_slugs)
    for code, row in ref.countries.items():
        node = mint.country(code)
        g.add((node, RDF.type, SCHEMA.Country))
        _labels(g, node, row["name_en"], row["name_local"], row["lang_local"])
        if row["alt_en"]:
            g.add((node, SKOS.altLabel, Literal(row["alt_en"], lang="en")))
        g.add((node, SCHEMA.identifier, Literal(code.upper())))
        _links(g, node, row)
        asm.origins[node] = row.origin
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
    for slug, row in ref.municipalities.items():
        node = mint.municipality(slug)
        place = ref.places[row["place"]]
        g.add((node, RDF.type, B40.Municipality))
        _labels(g, node, row["name_en"], row["name_local"], row["lang_local"])
        g.add((node, DCT.identifier, Literal(slug)))
        g.add((node, DCT.spatial, mint.place(row["place"])))
        g.add((node, B40.country, mint.country(place["country"])))
        asm.origins[node] = row.origin
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
    for key in ("countries", "places", "municipalities", "events", "network", "themes"):
        path = ref.files[key]
        raw = path.read_bytes()
        fmt = "text/csv" if path.suffix == ".csv" else "text/turtle"
        doc = _source_document(g, mint, root, path, hashlib.sha256(raw).hexdigest(), len(raw), fmt)
        asm.origins[doc] = (path, 1)


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
    doc = _source_document(g, mint, root, path, src.sha256, src.size, "text/markdown")
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
    network_slug = str(src.meta.get("publisher") or "")
    if network_slug:
        if network_slug not in ref.network_slugs:
            problems.add(
                f"publisher '{network_slug}' is not a network in data/network.ttl",
                path,
                line.get("publisher"),
                f"use one of: {', '.join(ref.network_slugs)}",
            )
        g.add((decl, DCT.publisher, mint.network(network_slug)))
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
    _role(asm, g, mint, role, title, (path, sig.role_line))
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
    membership, _ = _membership(g, mint, network, slug, muni_name, "founding member", founding, src.adopted)
    asm.origins[membership] = (src.path, sig.line)
    g.add((membership, PROV.wasDerivedFrom, decl))
    g.add((founding, RDF.type, ORG.Role))
    _role(asm, g, mint, founding, "Founding member", (src.path, sig.line))


def _membership(
    g: Graph, mint: Minter, network: str, slug: str, name: str, label: str, role: URIRef, start: dt.date
) -> tuple[URIRef, URIRef]:
    """The org:Membership of a municipality in a network (shared by founding and later members)."""
    membership = mint.membership(network, slug)
    period = URIRef(f"{membership}/period")
    beginning = URIRef(f"{period}/start")
    g.add((membership, RDF.type, ORG.Membership))
    g.add((membership, RDFS.label, Literal(f"{name}: {label}", lang="en")))
    g.add((membership, ORG.member, mint.municipality(slug)))
    g.add((membership, ORG.organization, mint.network(network)))
    g.add((membership, ORG.role, role))
    g.add((membership, ORG.memberDuring, period))
    g.add((period, RDF.type, TIME.Interval))
    g.add((period, TIME.hasBeginning, beginning))
    g.add((beginning, RDF.type, TIME.Instant))
    g.add((beginning, TIME.inXSDDate, Literal(start)))
    g.add((membership, B40.memberSince, Literal(start)))  # on the membership too: the shapes compare the two
    return membership, period


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
    doc = _source_document(g, mint, root, path, hashlib.sha256(raw).hexdigest(), len(raw), "text/csv")
    asm.origins[doc] = (path, 1)
    for row in ref.memberships:
        network, slug, basis = row["network"], row["municipality"], row["basis"]
        iri = str(mint.membership(network, slug))
        if iri in existing:
            where = existing[iri]
            problems.add(
                f"'{slug}' is already a member of '{network}' by the founding declaration ({where[0]}:{where[1]})",
                *row.origin,
                "remove this row: a signatory of a founding declaration is a founding member",
            )
            continue
        if basis not in declarations and _SLUG.match(basis) and basis != "founding":
            problems.add(
                f"the basis '{basis}' is not the id of a declaration in data/declarations",
                *row.origin,
                "give a declaration's id, 'founding', or a reference to the decision in words or as a URL",
            )
            continue
        founding = basis == "founding"
        role = mint.role("founding member" if founding else "member")
        joined = dt.date.fromisoformat(row["joined"])
        label = "founding member" if founding else f"member since {joined}"
        muni = ref.municipalities[slug]["name_en"]
        membership, period = _membership(g, mint, network, slug, muni, label, role, joined)
        asm.origins[membership] = row.origin
        g.add((role, RDF.type, ORG.Role))
        _role(asm, g, mint, role, "Founding member" if founding else "Member", row.origin)
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
    return name


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
    tr.add_translations(asm, versions, originals, ref, mint, root, problems, set(asm.parsed), _source_document)
    existing = {
        str(m): asm.origins.get(m, (Path(), None))
        for graph in asm.graphs.values()
        for m in graph.subjects(RDF.type, ORG.Membership)
        if isinstance(m, URIRef)
    }
    add_memberships(asm, ref, mint, root, seen, existing, problems)
    problems.raise_if_any()
    return asm


__all__ = ["Assembly", "assemble", "slugify"]
