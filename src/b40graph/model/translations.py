"""Translations of a declaration: one work, several language versions.

A declaration file whose front matter names an original (`translationOf: <the original's id>`) is not a
declaration of its own: it is published as a `b40:Translation` of the original (`schema:translationOfWork`,
`dct:isVersionOf`, and from the original `schema:workTranslation`, `dct:hasVersion`), clause by clause
(each clause of the translation `schema:translationOfWork` the clause of the original at the same
position, and of the same kind), with the commitments the theme tagger finds in the translation's language.
The signatures belong to the original: a translation repeats the signature blocks exactly as the original
prints them and mints no signature, person or membership of its own.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, RDFS

from b40graph.core.errors import DataError, Problems
from b40graph.core.iris import Minter
from b40graph.core.text import plain
from b40graph.core.vocab import B40, ISO639, SCHEMA
from b40graph.model.nodes import Assembly, add_publisher, source_document
from b40graph.model.themes import tag, warn_without_labels
from b40graph.sources.declaration import OPERATIVE, ParsedText, SignatureBlock, parse_text
from b40graph.sources.files import TRANSLATION_OF, SourceFile, read_source
from b40graph.sources.reference import Reference

#: Front-matter keys that state facts of the original, never of a translation.
ORIGINAL_ONLY = ("founding", "event", "place", "themes")


@dataclass
class Original:
    src: SourceFile
    parsed: ParsedText


def original_id(src: SourceFile) -> str | None:
    """The id of the declaration `src` translates, or None when `src` is an original."""
    value = src.meta.get(TRANSLATION_OF)
    return None if value in (None, "") else str(value)


def _signature_key(sig: SignatureBlock) -> tuple[str, str, str]:
    return (" ".join(sig.party.split()), " ".join(sig.name.split()), " ".join(sig.role.split()))


def _check_signatures(src: SourceFile, parsed: ParsedText, original: Original, problems: Problems) -> None:
    """The translation's signature blocks are the original's, in the same order, as printed."""
    theirs = original.parsed.signatures
    where = original.src.path
    for i, sig in enumerate(parsed.signatures):
        if i >= len(theirs):
            problems.add(
                f"the translation has a signature block 'On behalf of {sig.party}' that its original "
                f"({where}) does not have: the original has {len(theirs)} signature blocks",
                src.path,
                sig.line,
                "a translation repeats the original's signature blocks unchanged: remove this block",
            )
            return
        if _signature_key(sig) != _signature_key(theirs[i]):
            mine, other = _signature_key(sig), _signature_key(theirs[i])
            problems.add(
                f"signature block {i + 1} differs from the original's ({where}:{theirs[i].line}): "
                f"'{' / '.join(mine)}' here, '{' / '.join(other)}' there",
                src.path,
                sig.line,
                "a translation is not signed again: copy the original's signature blocks unchanged "
                "('On behalf of …', the name, the role)",
            )
    if len(parsed.signatures) < len(theirs):
        missing = theirs[len(parsed.signatures)]
        problems.add(
            f"the translation has {len(parsed.signatures)} signature blocks, its original ({where}) "
            f"{len(theirs)}: 'On behalf of {missing.party}' is missing",
            src.path,
            parsed.signatures[-1].line if parsed.signatures else src.meta_lines.get(TRANSLATION_OF),
            "a translation repeats the original's signature blocks unchanged: copy the missing ones",
        )


def _check(src: SourceFile, parsed: ParsedText, original: Original, problems: Problems) -> None:
    path, line = src.path, src.meta_lines
    for key in ORIGINAL_ONLY:
        if key in src.meta:
            problems.add(
                f"'{key}' belongs to the original declaration, not to a translation",
                path,
                line.get(key),
                f"remove '{key}' from the translation's front matter: it is taken from {original.src.path}",
            )
    lang, theirs = str(src.meta["language"]), str(original.src.meta["language"])
    if lang.lower() == theirs.lower():
        problems.add(
            f"the translation is in '{lang}', the language of its original ({original.src.path})",
            path,
            line.get("language"),
            "set 'language' to the language of this text",
        )
    if src.adopted != original.src.adopted:
        problems.add(
            f"adopted: {src.adopted} differs from the original's adopted: {original.src.adopted}",
            path,
            line.get("adopted"),
            "a translation has the date its original was adopted: copy it from the original",
        )
    if parsed.date is not None and parsed.date != src.adopted:
        problems.add(
            f"the text says 'Date: {parsed.date:%d.%m.%Y}' but the front matter says adopted: {src.adopted}",
            path,
            parsed.date_line,
            "copy the original's 'Date:' line unchanged",
        )
    mine, other = len(parsed.clauses), len(original.parsed.clauses)
    if mine != other:
        at = parsed.clauses[other].line if mine > other else parsed.clauses[-1].line
        problems.add(
            f"the translation has {mine} clauses, its original ({original.src.path}) {other}",
            path,
            at,
            "translate clause by clause: one paragraph or bullet point for each of the original's, in its order",
        )
    _check_signatures(src, parsed, original, problems)


def _version(g: Graph, node: URIRef, src: SourceFile, doc: URIRef, orig: URIRef) -> str:
    """The translation's own description and its links to the original, both ways; returns its title."""
    lang = str(src.meta["language"])
    title = plain(str(src.meta["title"]))
    g.add((node, RDF.type, B40.Translation))
    g.add((node, DCT.identifier, Literal(src.id)))
    g.add((node, DCT.title, Literal(title, lang=lang)))
    g.add((node, RDFS.label, Literal(title, lang=lang)))
    g.add((node, DCT.language, ISO639[lang.split("-", maxsplit=1)[0].lower()]))
    g.add((node, SCHEMA.text, Literal(src.body, lang=lang)))
    g.add((node, DCT.source, doc))
    for forward, backward in ((SCHEMA.translationOfWork, SCHEMA.workTranslation), (DCT.isVersionOf, DCT.hasVersion)):
        g.add((node, forward, orig))
        g.add((orig, backward, node))
    if src.meta.get("url"):
        g.add((node, SCHEMA.url, URIRef(str(src.meta["url"]))))
    return title


def add_translation(
    asm: Assembly,
    src: SourceFile,
    original: Original,
    ref: Reference,
    mint: Minter,
    root: Path,
    problems: Problems,
) -> None:
    """The named graph of translation `src` of `original`."""
    path = src.path
    parsed = parse_text(path, src.body, src.body_first_line)
    before = len(problems.items)
    _check(src, parsed, original, problems)
    if len(problems.items) > before:
        return
    lang = str(src.meta["language"])
    g = asm.graph(mint.graph(f"declaration/{src.id}"), path)
    node, orig = mint.declaration(src.id), mint.declaration(original.src.id)
    asm.origins[node] = (path, src.meta_lines.get("id"))
    doc = source_document(g, mint, root, path, src.sha256, src.size, "text/markdown")
    g.add((doc, DCT.description, Literal(" ".join(str(src.meta["source"]).split()), lang="en")))
    asm.origins[doc] = (path, src.meta_lines.get("source"))
    title = _version(g, node, src, doc, orig)
    add_publisher(g, node, src, ref, mint, problems)
    for clause, theirs in zip(parsed.clauses, original.parsed.clauses, strict=True):
        clause.kind = theirs.kind  # the kinds are the original's: the lead-in words are not English here
        cnode = URIRef(f"{node}/clause/{clause.position}")
        asm.origins[cnode] = (path, clause.line)
        g.add((cnode, RDF.type, B40.OperativeClause if clause.kind == OPERATIVE else B40.PreambleClause))
        g.add((cnode, RDFS.label, Literal(f"Clause {clause.position} of {title}", lang="en")))
        g.add((cnode, SCHEMA.position, Literal(clause.position)))
        g.add((cnode, SCHEMA.text, Literal(clause.text, lang=lang)))
        g.add((node, B40.hasClause, cnode))
        g.add((cnode, B40.clauseOf, node))
        g.add((cnode, SCHEMA.translationOfWork, URIRef(f"{orig}/clause/{clause.position}")))
    warn_without_labels(ref.themes, lang, path)
    for match in tag(parsed.clauses, ref.themes, lang):
        pos = match.clause.position
        cnode = URIRef(f"{node}/clause/{pos}/commitment/{match.theme.slug}")
        asm.origins[cnode] = (path, match.clause.line)
        g.add((cnode, RDF.type, B40.Commitment))
        g.add((cnode, RDF.type, B40.TaggedCommitment))
        g.add((cnode, RDFS.label, Literal(f"Clause {pos} commits to {match.label}", lang="en")))
        g.add((cnode, B40.theme, match.theme.iri))
        g.add((cnode, B40.statedIn, URIRef(f"{node}/clause/{pos}")))
        g.add((cnode, B40.matchedLabel, match.label))
        g.add((cnode, B40.matchedText, Literal(match.clause.text[match.start : match.end], lang=lang)))
        g.add((node, B40.hasCommitment, cnode))


def add_translations(
    asm: Assembly,
    translations: list[SourceFile],
    originals: dict[str, Original],
    ref: Reference,
    mint: Minter,
    root: Path,
    problems: Problems,
    declared: set[str],
) -> None:
    """Every translation, after the originals were read (`originals`: id -> file and parsed text; `declared`:
    the ids of every declaration that is not a translation). Also checks that each names a declaration
    that is not itself a translation, and one translation per language."""
    languages: dict[tuple[str, str], Path] = {}
    for src in translations:
        wanted = original_id(src)
        assert wanted is not None
        original = originals.get(wanted)
        if original is None:
            close = difflib.get_close_matches(wanted, sorted(declared), n=3)
            known = ", ".join(close or sorted(declared)[:5]) or "none"
            problems.add(
                f"{TRANSLATION_OF}: '{wanted}' is not the id of a declaration in data/declarations "
                f"(a translation names its original, which is not itself a translation)",
                src.path,
                src.meta_lines.get(TRANSLATION_OF),
                f"give the 'id' of the original declaration ({'closest' if close else 'known'}: {known})",
            )
            continue
        key = (wanted, str(src.meta["language"]).lower())
        if key in languages:
            problems.add(
                f"'{wanted}' has a translation into '{key[1]}' already ({languages[key]})",
                src.path,
                src.meta_lines.get("language"),
                "keep one translation per language: merge the two files",
            )
            continue
        languages[key] = src.path
        try:
            add_translation(asm, src, original, ref, mint, root, problems)
        except DataError as err:
            problems.extend(err)


def read_originals(paths: dict[str, Path], wanted: set[str], max_bytes: int) -> dict[str, Original]:
    """The originals named in `wanted` among the declarations `paths` (id -> file), read and parsed."""
    originals = {}
    for ident in sorted(wanted & set(paths)):
        src = read_source(paths[ident], max_bytes)
        if original_id(src) is not None:
            continue  # a translation is no original
        originals[ident] = Original(src, parse_text(src.path, src.body, src.body_first_line))
    return originals


__all__ = ["ORIGINAL_ONLY", "Original", "add_translation", "add_translations", "original_id", "read_originals"]
