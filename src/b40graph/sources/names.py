"""Near-duplicate person names: signatories whose names are so close that they are probably one person
printed two ways (a typo, a dropped letter, an initial), reported as warnings by the build.

Two different persons are reported when their ASCII-folded names are one or two edits apart (found
through the names with one letter deleted, so no pair of names is compared that shares nothing), or
when they have the same family name and given names with the same initial. One person (one identifier)
printed two ways ('Maria D'ANGELO', 'Maria d'ANGELO') is told with both spellings and where each is
printed (`spellings`): the shapes refuse the person's two names, but name only one file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from b40graph.core import ntriples as nt
from b40graph.core.errors import Problem
from b40graph.core.text import ascii_fold

_FOAF_NAME = "<http://xmlns.com/foaf/0.1/name>"
_FOAF_GIVEN = "<http://xmlns.com/foaf/0.1/givenName>"
_FOAF_FAMILY = "<http://xmlns.com/foaf/0.1/familyName>"
_AGENT = "<http://www.w3.org/ns/prov#agent>"

Origin = tuple[Path, int | None]


@dataclass
class Person:
    iri: str
    name: str = ""
    given: str = ""
    family: str = ""
    places: set[Origin] = field(default_factory=set)  # where a signature names the person
    spellings: dict[str, set[Origin]] = field(default_factory=dict)  # each foaf:name, where it is printed

    def key(self) -> str:
        return _key(self.name)

    def where(self) -> str:
        return _where(self.places)


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", ascii_fold(text).lower()))


def persons_from_lines(graphs: Iterable[list[str]], origins: Mapping[str, Origin]) -> list[Person]:
    """The persons of N-Triples graphs, with the places (file, line) of the signatures that name them."""
    people: dict[str, Person] = {}
    for lines in graphs:
        named: dict[str, str] = {}  # the person's name in this graph (one declaration)
        here: dict[str, set[Origin]] = defaultdict(set)  # the signatures of this graph that name the person
        for line in lines:
            if _FOAF_NAME in line or _FOAF_GIVEN in line or _FOAF_FAMILY in line or _AGENT in line:
                s, p, o = nt.split(line)
                if p == _AGENT:
                    person = people.setdefault(o, Person(o))
                    origin = origins.get(s[1:-1])
                    if origin is not None:
                        person.places.add(origin)
                        here[o].add(origin)
                elif nt.is_literal(o):
                    value = nt.literal_parts(o)[0]
                    person = people.setdefault(s, Person(s))
                    if p == _FOAF_NAME:
                        person.name = named[s] = value
                    elif p == _FOAF_GIVEN:
                        person.given = value
                    else:
                        person.family = value
        for iri, value in named.items():
            people[iri].spellings.setdefault(value, set()).update(here[iri])
    return [p for p in people.values() if p.name]


def _where(places: Iterable[Origin]) -> str:
    return ", ".join(f"{p}:{n}" if n else str(p) for p, n in sorted(places, key=lambda o: (str(o[0]), o[1] or 0)))


def spellings(people: list[Person]) -> list[Problem]:
    """One person (one identifier: the name without case, accents and punctuation) printed two ways, each
    spelling with the files and lines that print it; the shapes refuse the person's two names."""
    told = []
    for person in sorted(people, key=lambda p: p.iri):
        if len(person.spellings) < 2:
            continue
        ways = sorted(person.spellings.items())
        places = sorted(set().union(*(where for _, where in ways)), key=lambda o: (str(o[0]), o[1] or 0))
        told.append(
            Problem(
                f"one person ({person.iri[1:-1]}) printed two ways: "
                + " and ".join(f"'{name}' ({_where(where)})" for name, where in ways),
                places[0][0] if places else None,
                places[0][1] if places else None,
                "print the name the same way in every declaration (the same capitals, accents and spaces)",
            )
        )
    return told


def _distance_at_most_2(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > 2:
            return False
        previous = current
    return previous[-1] <= 2


def near_duplicates(people: list[Person], limit: int = 50) -> list[Problem]:
    """Warnings for pairs of different persons with near-identical names (at most `limit`, then a count)."""
    people = sorted(people, key=lambda p: p.iri)
    pairs: dict[tuple[int, int], str] = {}
    by_variant: dict[str, list[int]] = defaultdict(list)
    by_family: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, person in enumerate(people):
        key = person.key()
        for variant in {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}:
            by_variant[variant].append(index)
        family, given = _key(person.family), _key(person.given)
        if family and given:
            by_family[(family, given[0])].append(index)
    for group in by_variant.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a != b and people[a].key() != people[b].key():
                    pairs.setdefault((min(a, b), max(a, b)), "are one or two letters apart")
    for group in by_family.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pairs.setdefault((min(a, b), max(a, b)), "have the same family name and given-name initial")
    warnings = []
    for (a, b), why in sorted(pairs.items()):
        first, second = people[a], people[b]
        if why.startswith("are") and not _distance_at_most_2(first.key(), second.key()):
            continue
        where = sorted(first.places | second.places, key=lambda o: (str(o[0]), o[1] or 0))
        warnings.append(
            Problem(
                f"'{first.name}' ({first.where()}) and '{second.name}' ({second.where()}) {why}: "
                "two persons, or one person printed two ways?",
                where[0][0] if where else None,
                where[0][1] if where else None,
                "if they are one person, print the name the same way in every declaration",
            )
        )
    if len(warnings) > limit:
        more = len(warnings) - limit
        warnings = warnings[:limit] + [Problem(f"… and {more} more pairs of near-duplicate person names")]
    return warnings
