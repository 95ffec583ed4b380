"""Theme tagging: which SKOS theme each operative clause commits to, and why (clause + matched label)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Literal

from b40graph.sources.declaration import OPERATIVE, Clause
from b40graph.sources.reference import Theme


@dataclass(frozen=True)
class ThemeMatch:
    clause: Clause
    theme: Theme
    label: Literal  # the SKOS label that matched
    start: int  # character offsets of the match in the clause text
    end: int


@lru_cache(maxsize=4096)
def _pattern(label: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in label.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def _same_language(label: Literal, language: str) -> bool:
    tag = (label.language or "").lower()
    return not tag or tag.split("-")[0] == language.lower().split("-")[0]


def tag(clauses: list[Clause], themes: list[Theme], language: str) -> list[ThemeMatch]:
    """One match per (operative clause, theme): the longest label that occurs in the clause wins."""
    matches = []
    for clause in clauses:
        if clause.kind != OPERATIVE:
            continue
        for theme in themes:
            for label in theme.labels:  # longest first (see reference.load_reference)
                if not _same_language(label, language):
                    continue
                found = _pattern(str(label)).search(clause.text)
                if found:
                    matches.append(ThemeMatch(clause, theme, label, found.start(), found.end()))
                    break
    return matches
