"""Synthetic projects in b40graph's own source format, for benchmarks and scale tests.

`generate(n, out)` writes a project root (data/declarations/*.md, data/*.csv, data/network.ttl,
data/themes.ttl, ontology/, shapes/) with n municipalities. Every municipality joins through exactly one
accession declaration (`founding: true`, which makes its signatories members); about half as many thematic
declarations follow, each signed by 20-50 members. Texts use the wordings that the real declarations use, so
the parser and the theme tagger do the same work as on real data. The same n and seed give the same bytes.
`huge_project(out, signatures, clauses)` writes one with a single huge declaration. Synthetic data never goes
into a project's own data/.

The ontology, the shapes and the theme vocabulary are copied from `source`, a project root: by default the
source checkout this module runs from (the B40 project's data/themes.ttl is not part of the installed
package). It lives here, at the top of the stack next to `b40graph init`, because it writes project folders;
tests and benchmarks/generate.py and benchmarks/huge.py import it from here. The files it writes still name
those two commands in their comments, so that a project generated before the move is byte for byte the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import shutil
from pathlib import Path

from b40graph.core.errors import UsageError

#: The source checkout (its ontology/, shapes/ and data/themes.ttl), when running from one.
CHECKOUT = Path(__file__).resolve().parents[3]
#: The id of huge_project's one declaration.
HUGE_DECLARATION = "huge-declaration"

_SYLLABLES = [
    "ba",
    "bel",
    "bor",
    "bra",
    "dan",
    "dor",
    "dra",
    "ga",
    "gor",
    "ka",
    "kal",
    "kar",
    "kor",
    "kra",
    "la",
    "lan",
    "lev",
    "li",
    "lo",
    "ma",
    "mar",
    "mi",
    "mir",
    "mo",
    "na",
    "nik",
    "no",
    "ob",
    "or",
    "pa",
    "pel",
    "pol",
    "ra",
    "rad",
    "ri",
    "ro",
    "sa",
    "sel",
    "si",
    "sol",
    "sta",
    "ta",
    "tel",
    "ti",
    "tor",
    "tra",
    "va",
    "vel",
    "vi",
    "vo",
    "za",
    "zel",
    "zi",
    "zor",
]
_GIVEN = [
    "Ana",
    "Ivan",
    "Elena",
    "Marko",
    "Sofia",
    "Nikola",
    "Maria",
    "Petar",
    "Ioana",
    "Andrei",
    "Eleni",
    "Kostas",
    "Ayşe",
    "Mehmet",
    "Jovana",
    "Luka",
    "Mira",
    "Stefan",
    "Dragana",
    "Emir",
    "Lejla",
    "Tomislav",
    "Vesna",
    "Goran",
    "Irena",
    "Ardit",
    "Blerta",
    "Dimitris",
    "Zeynep",
    "Mustafa",
    "Ivana",
    "Bojan",
]
_FAMILY_TAILS = ("IĆ", "OV", "EVA", "ESCU", "OĞLU", "AJ", "IDIS", "SKI", "OVA", "AKIS", "ER", "AN")
_LANGS = ("sr-Cyrl", "el", "tr", "ro", "bg", "sq", "hr", "bs", "mk", "sl")

PREAMBLE = (
    "Being aware of the potential that sustainable development and peace present for the cities in our region,",
    "With a shared vision for a common future of the cities of {region},",
    "Knowing that climate change and other global challenges we face require working together,",
    "Recognizing that good governance requires resilient, democratic, transparent and inclusive local government,",
    "Emphasizing the importance of the localization of the Sustainable Development Goals,",
    "Aspiring to establish a fruitful cooperation in areas of common interest,",
)
OPERATIVE = (
    "Work together through this Network to strengthen the dialogue among our cities,",
    "Cooperate in the fields of economy, culture, innovation, sustainability, and solidarity,",
    "Develop new areas of cooperation focusing on reversing the effects of the climate change,",
    "Strengthen local democracy and good neighborly relations in our region,",
    "Share good practices and solutions with the other members of the Network,",
    "Contribute to the recommendation development processes for decision makers at all levels,",
    "Accelerate our shift toward green energy and renewable energy in municipal buildings,",
    "Encourage participation of local communities through participatory activities,",
    "Protect human rights and the rule of law in our municipalities,",
    "Build resilient urban environments and improve municipal services with emerging technologies,",
    "Host and participate in the network meetings and support the Network Secretariat,",
    "Defend freedom of expression and the independence of the judiciary,",
)


def _names(n: int, rng: random.Random) -> list[str]:
    """n distinct invented place names (distinct after ASCII folding too)."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        parts = rng.randint(2, 4)
        name = "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()
        if name.lower() not in seen and len(name) > 4:
            seen.add(name.lower())
            out.append(name)
    return out


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _person(index: int, rng: random.Random, taken: set[tuple[str, str]]) -> tuple[str, str]:
    """A given name and a distinct family name, printed in capitals as declarations print it."""
    given = _GIVEN[index % len(_GIVEN)]
    while True:
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).upper()
        family = stem + _FAMILY_TAILS[index % len(_FAMILY_TAILS)]
        if (given, family) not in taken:
            taken.add((given, family))
            return given, family


def _declaration(
    ident: str,
    title: str,
    adopted: dt.date,
    event: str,
    place: str,
    founding: bool,
    signers: list[tuple[str, str, str, str]],
    rng: random.Random,
    region: str,
) -> str:
    head = [
        "---",
        "# Synthetic declaration generated by benchmarks/generate.py.",
        f"id: {ident}",
        f"title: {title}",
        f"adopted: {adopted.isoformat()}",
        "language: en",
        f"event: {event}",
        f"place: {place}",
        "publisher: b40",
    ]
    if founding:
        head.append("founding: true")
    head += ["source: >-", f"  Synthetic text for {title}; generated, not copied from any real document.", "---"]
    body = ["", "", f"**{title}**", ""]
    body.append(
        f"This declaration was adopted by the participating mayors and municipality representatives at the "
        f"meeting on {adopted.day} {adopted:%B %Y}."
    )
    body += ["", "We, the leaders of the local governments of the participating cities;", ""]
    for line in rng.sample(PREAMBLE, rng.randint(3, len(PREAMBLE))):
        body.append("- " + line.format(region=region))
    body += ["", "In line with these common values, we declare to;", ""]
    for line in rng.sample(OPERATIVE, rng.randint(5, 9)):
        body.append("- " + line)
    body += ["", f"Date: {adopted:%d.%m.%Y}", ""]
    for party, given, family, role in signers:
        body += [f"On behalf of {party}", "", "", f"{given} {family}", role, ""]
    return "\n".join(head + body).rstrip("\n") + "\n"


def _copy_model(source: Path, out: Path, data: Path) -> None:
    needed = [source / "ontology", source / "shapes", source / "data" / "themes.ttl"]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        raise UsageError(f"the synthetic project copies {', '.join(missing)}: give a project root as source")
    for name in ("ontology", "shapes"):
        shutil.copytree(source / name, out / name, dirs_exist_ok=True)
    shutil.copy(source / "data" / "themes.ttl", data / "themes.ttl")


def _reference(data: Path, n: int, rng: random.Random) -> tuple[list[str], list[tuple[str, str]]]:
    """countries.csv, places.csv and municipalities.csv for n municipalities; their names and their mayors."""
    countries = []
    letters = "abcdefghijklmnopqrstuvwxyz"
    n_countries = max(3, min(60, n // 150))
    for i in range(n_countries):
        code = letters[i // 26 % 26] + letters[i % 26]
        countries.append([code, f"Country {code.upper()}", "", f"Land {code.upper()}", _LANGS[i % len(_LANGS)]])
    _csv(
        data / "countries.csv",
        ["code", "name_en", "alt_en", "name_local", "lang_local", "wikidata", "geonames"],
        [[*c, f"Q{9000 + i}", str(700000 + i)] for i, c in enumerate(countries)],
    )
    names = _names(n, rng)
    places, munis, people = [], [], []
    taken: set[tuple[str, str]] = set()
    for i, name in enumerate(names):
        country = countries[i % n_countries]
        slug = name.lower()
        wikidata, geonames = (f"Q{100000 + i}", str(800000 + i)) if i % 3 else ("", "")
        places.append([slug, "City", name, name, country[4], country[0], "", wikidata, geonames])
        kind = "City of {}" if i % 2 else "Municipality of {}"
        munis.append([slug, kind.format(name), f"Opština {name}", country[4], slug, ""])
        people.append(_person(i, rng, taken))
    _csv(
        data / "places.csv",
        ["slug", "type", "name_en", "name_local", "lang_local", "country", "within", "wikidata", "geonames"],
        places,
    )
    _csv(data / "municipalities.csv", ["slug", "name_en", "name_local", "lang_local", "place", "aliases"], munis)
    return names, people


def _declarations(decls: Path, names: list[str], people: list[tuple[str, str]], rng: random.Random) -> list[list[str]]:
    """Accession declarations for every municipality, thematic ones among members in between; the events."""

    def signer(i: int) -> tuple[str, str, str, str]:
        name = names[i]
        party = (f"City of {name}", f"Municipality of {name}", f"{name} Municipality")[i % 3]
        role = "Deputy Mayor" if i % 7 == 0 else "Mayor"
        return party, people[i][0], people[i][1], f"{role} of {name}"

    order = list(range(len(names)))
    rng.shuffle(order)
    start = dt.date(2010, 1, 15)
    events, files = [], []
    joined: list[int] = []
    cursor = 0
    number = 0
    while cursor < len(order):
        number += 1
        adopted = start + dt.timedelta(days=9 * number)
        size = rng.randint(20, 50)
        batch = order[cursor : cursor + size]
        cursor += size
        host = batch[0]
        founding = True
        if joined and number % 2 == 0:  # a thematic declaration among members, then more accessions
            founding = False
            cursor -= size
            batch = sorted(rng.sample(joined, min(len(joined), rng.randint(20, 50))))
            host = batch[0]
        else:
            joined.extend(batch)
        slug = f"{adopted.isoformat()}-{'accession' if founding else 'summit'}-{number}"
        title = f"{'Accession' if founding else 'Summit'} Declaration {number} of {names[host]}"
        place = names[host].lower()
        events.append([slug, f"Network meeting {number} in {names[host]}", adopted.isoformat(), "", place])
        events[-1] += [place, "b40" if number == 1 else ""]
        signers = [signer(i) for i in batch]
        text = _declaration(f"{slug}-declaration", title, adopted, slug, place, founding, signers, rng, "the network")
        files.append((f"{slug}.md", text))
    for name, text in files:
        (decls / name).write_text(text, encoding="utf-8")
    return events


def generate(n: int, out: Path, seed: int = 40, source: Path = CHECKOUT) -> Path:
    """Write a project root with `n` municipalities into `out` (created; must not hold a project yet)."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible invented data, not secrets
    data = out / "data"
    decls = data / "declarations"
    decls.mkdir(parents=True, exist_ok=True)
    _copy_model(source, out, data)
    names, people = _reference(data, n, rng)
    events = _declarations(decls, names, people, rng)
    _csv(data / "events.csv", ["slug", "name_en", "start", "end", "place", "organizer", "founded_network"], events)
    first = events[0]
    (data / "network.ttl").write_text(
        "# Synthetic network generated by benchmarks/generate.py.\n"
        "@prefix b40:    <https://w3id.org/b40/ontology#> .\n"
        "@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix dct:    <http://purl.org/dc/terms/> .\n"
        "@prefix schema: <https://schema.org/> .\n"
        "@prefix org:    <http://www.w3.org/ns/org#> .\n"
        "@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .\n\n"
        "<id/network/b40> a b40:Network ;\n"
        '    rdfs:label "Synthetic Cities Network"@en ;\n'
        '    skos:prefLabel "Synthetic Cities Network"@en ;\n'
        '    skos:altLabel "SCN"@en ;\n'
        f'    dct:description "A generated network of {n} municipalities."@en ;\n'
        f'    schema:foundingDate "{first[2]}"^^xsd:date ;\n'
        f"    schema:foundingLocation <id/place/{first[4]}> ;\n"
        f"    org:resultedFrom <id/event/{first[0]}> .\n",
        encoding="utf-8",
    )
    return out


def huge_project(out: Path, signatures: int, clauses: int, source: Path = CHECKOUT) -> Path:
    """A project root in `out` whose one declaration has `signatures` signature blocks and `clauses` clauses.
    Returns the declaration's file."""
    generate(signatures, out, source=source)
    decls = out / "data" / "declarations"
    for old in decls.glob("*.md"):
        old.unlink()
    events = (out / "data" / "events.csv").read_text(encoding="utf-8").splitlines()
    event = events[1].split(",")
    municipalities = (out / "data" / "municipalities.csv").read_text(encoding="utf-8").splitlines()[1:]
    adopted = dt.date.fromisoformat(event[2])
    head = [
        "---",
        "# Synthetic declaration generated by benchmarks/huge.py.",
        f"id: {HUGE_DECLARATION}",
        "title: The Huge Declaration",
        f"adopted: {adopted.isoformat()}",
        "language: en",
        f"event: {event[0]}",
        f"place: {event[4]}",
        "publisher: b40",
        "founding: true",
        "source: >-",
        "  Synthetic text generated by benchmarks/huge.py; not copied from any real document.",
        "---",
    ]
    body = ["", "", "**The Huge Declaration**", "", "We, the leaders of the participating cities;", ""]
    body += ["- " + line.format(region="the network") for line in PREAMBLE]
    body += ["", "In line with these common values, we declare to;", ""]
    for i in range(clauses):  # numbered, so no two clauses have the same text
        body.append(f"- {OPERATIVE[i % len(OPERATIVE)].rstrip(',')} (item {i + 1}),")
    body += ["", f"Date: {adopted:%d.%m.%Y}", ""]
    people = _signers(out, municipalities)
    for party, name, role in people[:signatures]:
        body += [f"On behalf of {party}", "", "", name, role, ""]
    path = decls / f"{adopted.isoformat()}-{HUGE_DECLARATION}.md"
    path.write_text("\n".join(head + body).rstrip("\n") + "\n", encoding="utf-8")
    return path


def _signers(out: Path, municipalities: list[str]) -> list[tuple[str, str, str]]:
    """(party, person, role) for every municipality: the people generate() put in its declarations."""
    rng = random.Random(1)  # noqa: S311 -- the same people generate() invented
    taken: set[tuple[str, str]] = set()
    rows = []
    for i, line in enumerate(municipalities):
        slug, name_en = line.split(",")[:2]
        given, family = _person(i, rng, taken)
        name = slug.capitalize()
        rows.append((name_en, f"{given} {family}", f"Mayor of {name}"))
    return rows
