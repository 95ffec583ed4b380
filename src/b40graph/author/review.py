"""The review of a drafted declaration: the draft read back as the build will read it (the signatures, the
municipalities it cannot resolve with the closest names in data/municipalities.csv, the themes matched per
clause), what the curator must check, and the review `b40graph add` prints."""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, PROV, RDFS

from b40graph.core.errors import DataError, Problem, Problems
from b40graph.core.iris import Minter
from b40graph.core.settings import Settings
from b40graph.core.vocab import B40
from b40graph.model.declarations import add_declaration
from b40graph.model.nodes import Assembly
from b40graph.model.themes import tag
from b40graph.sources.declaration import OPERATIVE, ParsedText
from b40graph.sources.files import read_source
from b40graph.sources.reference import Reference, core


@dataclass
class SignatureReview:
    party: str  # as printed after "On behalf of"
    line: int  # of the draft
    municipality: str | None  # the slug in data/municipalities.csv, None when not resolved
    municipality_name: str = ""  # its name_en
    suggestions: list[str] = field(default_factory=list)  # close names (difflib), or the closest one
    name_printed: str = ""
    person: str = ""  # the name as the build publishes it (family name in proper case)
    role: str = ""  # the role as the build publishes it ("Mayor", "Deputy Mayor", ...)


@dataclass
class ClauseReview:
    position: int
    kind: str
    text: str
    line: int
    themes: list[tuple[str, str]] = field(default_factory=list)  # (theme slug, label that matched)


@dataclass
class Draft:
    source: Path  # the document read
    target: Path  # data/declarations/<date>-<slug>.md
    text: str  # the whole drafted file
    meta: dict[str, Any]
    guessed: dict[str, str]  # front-matter key -> how it was guessed
    signatures: list[SignatureReview] = field(default_factory=list)
    clauses: list[ClauseReview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # what stops the build until it is fixed
    checks: list[str] = field(default_factory=list)  # what the curator must check
    written: bool = False

    @property
    def unresolved(self) -> list[SignatureReview]:
        return [s for s in self.signatures if s.municipality is None]


def review(draft: Draft, settings: Settings, ref: Reference) -> None:
    """Read the draft back as the build will (in a scratch folder), and fill in the review."""
    mint = Minter(settings.base)
    asm = _read_back(draft, settings, ref, mint)
    parsed = asm.parsed.get(str(draft.meta["id"]))
    if parsed is None:
        draft.checks.append("the text could not be read as a declaration: fix the problems above, then run again")
        return
    graph = asm.graphs[mint.graph(f"declaration/{draft.meta['id']}")]
    draft.signatures += _signatures(parsed, graph, mint.declaration(str(draft.meta["id"])), ref)
    language = str(draft.meta["language"])
    matches: dict[int, list[tuple[str, str]]] = {}
    for match in tag(parsed.clauses, ref.themes, language):
        matches.setdefault(match.clause.position, []).append((match.theme.slug, str(match.label)))
    for clause in parsed.clauses:
        draft.clauses.append(
            ClauseReview(clause.position, clause.kind, clause.text, clause.line, matches.get(clause.position, []))
        )
    _checks(draft, parsed)


def _read_back(draft: Draft, settings: Settings, ref: Reference, mint: Minter) -> Assembly:
    """The draft assembled as the build assembles a declaration; its problems in `draft.problems`."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / draft.target.name
        copy.write_text(draft.text, encoding="utf-8")
        problems = Problems()
        asm = Assembly()
        try:
            src = read_source(copy, settings.max_source_bytes)
            add_declaration(asm, src, ref, mint, settings.root, problems)
        except DataError as err:
            problems.extend(err)
        draft.problems = [
            Problem(p.message, draft.target if p.file == copy else p.file, p.line, p.fix) for p in problems.items
        ]
    return asm


def _signatures(parsed: ParsedText, graph: Graph, decl: URIRef, ref: Reference) -> list[SignatureReview]:
    """Each signature block: its municipality (or the closest names) and the person and role published."""
    out = []
    for sig in parsed.signatures:
        slug = ref.resolve_municipality(sig.party)
        found = SignatureReview(sig.party, sig.line, slug, name_printed=sig.name)
        found.municipality_name = ref.municipalities[slug]["name_en"] if slug is not None else ""
        if slug is None:
            found.suggestions = ref.suggest_municipality(sig.party) or _closest(ref, sig.party)
        else:
            node = URIRef(f"{decl}/signature/{slug}")
            person = graph.value(node, PROV.agent)
            role = graph.value(node, B40.signatoryRole)
            found.person = str(graph.value(person, FOAF.name) or "") if person is not None else ""
            found.role = str(graph.value(role, RDFS.label) or "") if role is not None else ""
        out.append(found)
    return out


def _checks(draft: Draft, parsed: ParsedText) -> None:
    """What the curator must check, from what was read."""
    if not parsed.signatures:
        draft.checks.append("no signature block ('On behalf of …') was found: is the text complete?")
    if parsed.date is None:
        draft.checks.append("the text has no 'Date:' line: check 'adopted' against the document")
    untagged = [c.position for c in draft.clauses if c.kind == OPERATIVE and not c.themes]
    if untagged:
        draft.checks.append(
            f"operative clause(s) {', '.join(map(str, untagged))} match no theme: add a 'themes:' entry or a "
            "label to data/themes.ttl if they commit to one"
        )
    if not any(c.kind == OPERATIVE for c in draft.clauses):
        draft.checks.append("no clause was read as operative (a commitment): check the text's paragraphs")
    draft.checks.append(
        "if the declaration was adopted at an event or in a place of the reference data, add 'event:' and 'place:'"
    )
    if "founding" not in draft.meta:
        draft.checks.append(
            "if the signatories founded the network with this declaration, add 'founding: true'; a signatory "
            "that is not yet a member needs a row in data/memberships.csv"
        )


def _closest(ref: Reference, printed: str) -> list[str]:
    """The one municipality whose names are nearest to a printed name, however far (difflib ratio)."""
    names = {
        core(name): slug
        for slug, row in ref.municipalities.items()
        for name in [slug, row["name_en"], *row["aliases"].split("|")]
        if core(name)
    }
    best = difflib.get_close_matches(core(printed), list(names), n=1, cutoff=0.0)
    return [names[best[0]]] if best else []


def review_text(draft: Draft) -> str:
    """The review printed by `b40graph add`."""
    out = [f"{'wrote' if draft.written else 'would write'} {draft.target}", ""]
    out.append("Front matter (guessed values are marked '# GUESSED' in the file):")
    for key, value in draft.meta.items():
        how = f"  (guessed: {draft.guessed[key]})" if key in draft.guessed else ""
        out.append(f"  {key}: {value}{how}")
    out += ["", f"Signatures found: {len(draft.signatures)}"]
    for sig in draft.signatures:
        if sig.municipality is None:
            out.append(f"  line {sig.line}: {sig.name_printed or '?'} for '{sig.party}': NOT RESOLVED")
        else:
            who = sig.person or sig.name_printed
            out.append(f"  line {sig.line}: {who}, {sig.role or '?'}, {sig.municipality_name} ({sig.municipality})")
    if draft.unresolved:
        out += ["", "Municipalities not found in data/municipalities.csv (names and aliases):"]
        for sig in draft.unresolved:
            close = ", ".join(sig.suggestions) if sig.suggestions else "none"
            out.append(f"  '{sig.party}' (line {sig.line}): closest: {close}")
    out += ["", "Themes per clause:"]
    for clause in draft.clauses:
        themes = ", ".join(f"{slug} ('{label}')" for slug, label in clause.themes) or "-"
        snippet = clause.text if len(clause.text) <= 70 else clause.text[:67] + "..."
        out.append(f"  {clause.position:>2} {clause.kind:<9} {themes}  | {snippet}")
    if draft.problems:
        out += ["", "The build will stop on these until they are fixed:"]
        out += ["  " + str(p).replace("\n", "\n  ") for p in draft.problems]
    out += ["", "Check:"]
    out += [f"  - {check}" for check in draft.checks]
    out += [f"  - {key}: {how}" for key, how in draft.guessed.items()]
    return "\n".join(out) + "\n"
