"""Theme tagging: which SKOS theme each operative clause commits to, and why (clause + matched label).

A theme's labels (skos:prefLabel, skos:altLabel) in the declaration's language are looked for in each
operative clause, on texts folded by the rules of that language (`fold`): case is folded (Turkish and
Azerbaijani dotted and dotless i as in those languages), Greek accents and diaeresis are dropped (final
sigma is sigma), Romanian s/t with cedilla are the same letters as with comma below. In English a label
matches whole words; in the other languages each word of a label also matches the word with an ending
added (Turkish `demokrasi` matches `demokrasinin`, Greek `ειρήνη` matches `ειρήνης`).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Literal

from b40graph.core.text import fold_char
from b40graph.sources.declaration import OPERATIVE, Clause
from b40graph.sources.reference import Theme

log = logging.getLogger(__name__)

_TURKIC = {"tr", "az"}  # dotted İ i and dotless I ı are two letters
_NO_ACCENTS = {"el"}  # accents and diaeresis are not letters: τόνος, διαλυτικά
_ROMANIAN = str.maketrans({"ş": "ș", "ţ": "ț"})  # the cedilla forms old keyboards type
_WHOLE_WORDS = {"en"}  # languages whose labels match whole words only


@dataclass(frozen=True)
class ThemeMatch:
    clause: Clause
    theme: Theme
    label: Literal  # the SKOS label that matched
    start: int  # character offsets of the match in the clause text
    end: int


def primary(language: str) -> str:
    """The primary language subtag, lower case: 'sr-Latn' -> 'sr'."""
    return language.lower().split("-")[0]


def _fold_cluster(cluster: str, lang: str) -> str:
    """Case folded by the language's rules; in a language whose accents are not letters, the shared
    accent-and-case fold (core.text, which search and sorting use)."""
    if lang in _NO_ACCENTS:
        return fold_char(cluster)
    if lang in _TURKIC:
        cluster = cluster.replace("I", "ı").replace("İ", "i")
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFD", cluster.casefold()))
    return folded.translate(_ROMANIAN) if lang == "ro" else folded


def fold_with_offsets(text: str, language: str) -> tuple[str, list[int]]:
    """`text` folded for matching in `language`, and for each folded character the offset in `text` of the
    character (with its combining marks) it comes from; one more offset closes the list."""
    lang = primary(language)
    out: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        folded = _fold_cluster(text[i:j], lang)
        out.append(folded)
        offsets.extend([i] * len(folded))
        i = j
    offsets.append(len(text))
    return "".join(out), offsets


def fold(text: str, language: str) -> str:
    """`text` as the tagger compares it in `language` (see the module's doc)."""
    return fold_with_offsets(text, language)[0]


@lru_cache(maxsize=8192)
def _pattern(label: str, language: str) -> re.Pattern[str]:
    ending = "" if primary(language) in _WHOLE_WORDS else r"\w*"
    words = [re.escape(w) + ending for w in fold(label, language).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def _same_language(label: Literal, language: str) -> bool:
    tag = (label.language or "").lower()
    return not tag or primary(tag) == primary(language)


def has_labels(themes: list[Theme], language: str) -> bool:
    """Whether any theme has a label the tagger uses for a text in `language`."""
    return any(_same_language(label, language) for theme in themes for label in theme.labels)


def warn_without_labels(themes: list[Theme], language: str, path: Path) -> bool:
    """Log a warning naming `path` when no theme has a label in `language`; True when there are labels."""
    if themes and not has_labels(themes, language):
        log.warning(
            "warning: %s: no theme in data/themes.ttl has a label in the declaration's language '%s', so no "
            "clause is tagged with a theme; add skos:prefLabel/skos:altLabel @%s to the themes",
            path,
            language,
            primary(language),
        )
        return False
    return True


def tag(clauses: list[Clause], themes: list[Theme], language: str) -> list[ThemeMatch]:
    """One match per (operative clause, theme): the longest label that occurs in the clause wins."""
    matches = []
    for clause in clauses:
        if clause.kind != OPERATIVE:
            continue
        folded, offsets = fold_with_offsets(clause.text, language)
        for theme in themes:
            for label in theme.labels:  # longest first (see reference.load_reference)
                if not _same_language(label, language):
                    continue
                found = _pattern(str(label), language).search(folded)
                if found:
                    start, end = offsets[found.start()], offsets[found.end()]
                    matches.append(ThemeMatch(clause, theme, label, start, end))
                    break
    return matches
