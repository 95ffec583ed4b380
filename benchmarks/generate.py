"""A synthetic city network in b40graph's own source format, for benchmarks and scale tests.

    python benchmarks/generate.py N OUTDIR [--seed S]

writes a project root (data/declarations/*.md, data/*.csv, data/network.ttl, data/themes.ttl, ontology/,
shapes/) with N municipalities. Every municipality joins through exactly one accession declaration
(`founding: true`, which makes its signatories members); about half as many thematic declarations
follow, each signed by 20-50 members. Texts use the wordings that the real declarations use, so the
parser and the theme tagger do the same work as on real data. The same N and seed give the same bytes.
Synthetic data never goes into the project's own data/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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


def _person(index: int, rng: random.Random, taken: set) -> tuple[str, str]:
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


def generate(n: int, out: Path, seed: int = 40) -> Path:
    """Write a project root with `n` municipalities into `out` (created; must not hold a project yet)."""
    rng = random.Random(seed)
    data = out / "data"
    decls = data / "declarations"
    decls.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, out / name, dirs_exist_ok=True)
    shutil.copy(ROOT / "data" / "themes.ttl", data / "themes.ttl")

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
    taken: set = set()
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

    def signer(i: int) -> tuple[str, str, str, str]:
        name = names[i]
        party = (f"City of {name}", f"Municipality of {name}", f"{name} Municipality")[i % 3]
        role = "Deputy Mayor" if i % 7 == 0 else "Mayor"
        return party, people[i][0], people[i][1], f"{role} of {name}"

    order = list(range(n))
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
        ident = f"{slug}-declaration"
        title = f"{'Accession' if founding else 'Summit'} Declaration {number} of {names[host]}"
        events.append(
            [slug, f"Network meeting {number} in {names[host]}", adopted.isoformat(), "", names[host].lower()]
        )
        events[-1] += [names[host].lower(), "b40" if number == 1 else ""]
        text = _declaration(
            ident, title, adopted, slug, names[host].lower(), founding, [signer(i) for i in batch], rng, "the network"
        )
        files.append((f"{slug}.md", text))
    for name, text in files:
        (decls / name).write_text(text, encoding="utf-8")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="number of municipalities")
    parser.add_argument("out", type=Path, help="output folder (a project root)")
    parser.add_argument("--seed", type=int, default=40)
    args = parser.parse_args(argv)
    generate(args.n, args.out, args.seed)
    files = len(list((args.out / "data" / "declarations").glob("*.md")))
    print(f"{args.out}: {args.n} municipalities, {files} declarations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
