"""Published text and names (issue 10, items 4 and 5): plain-text clauses and titles, one person per
printed name whatever its invisible characters, apostrophes or particles, clear errors for a key given
twice and a municipality signing twice, and warnings for near-duplicate names.

Each test builds a small project of its own: the reference data and model of the repository, and
declarations written here (no declaration of data/).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from b40graph.cli import main
from b40graph.core.settings import Settings
from b40graph.core.text import proper_family_name, split_name
from b40graph.pipeline import build, compile_dataset

from .conftest import ROOT, select

FOUNDING = """---
id: {ident}
title: {title}
adopted: 2021-11-30
language: en
event: 2021-istanbul-kickoff
place: istanbul
publisher: b40
founding: {founding}
source: test data written for tests/test_text_and_names.py
---

{body}

Date: 30.11.2021

{signatures}
"""

PLAIN_BODY = """We, the participating cities, declare to;

- Work together for climate action in our cities,
- Host the Network meetings.
"""


def signature(party: str, name: str, role: str) -> str:
    return f"On behalf of {party}\n\n\n{name}\n{role}\n"


def declaration(
    ident: str, signatures: list[str], body: str = PLAIN_BODY, title: str = "Test Declaration", founding: bool = True
) -> str:
    return FOUNDING.format(
        ident=ident, title=title, founding=str(founding).lower(), body=body, signatures="\n".join(signatures)
    )


def project(root: Path, files: dict[str, str]) -> Path:
    """The repository's reference data, ontology and shapes with only the declarations given here."""
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(ROOT / "data", root / "data", ignore=shutil.ignore_patterns("declarations"))
    (root / "data" / "declarations").mkdir()
    # members that joined later may name declarations left out here: none in these projects
    (root / "data" / "memberships.csv").write_text("network,municipality,joined,left,basis\n", encoding="utf-8")
    for name, text in files.items():
        (root / "data" / "declarations" / name).write_text(text, encoding="utf-8")
    return root


def built_store(root: Path, engine: str = "fast") -> ox.Store:
    release = build(Settings(root=root, out=root / "dist", engine=engine, query_workers=1))
    return ox.Store.read_only(str(release.store))


ATHENS = signature("City of Athens", "Kostas BAKOYANNIS", "Mayor of Athens")
BELGRADE = signature("City of Belgrade", "Zoran RADOJIĆ", "Mayor of Belgrade")

# -- item 4: plain text in clause and title literals -----------------------------------------------------

MARKUP_BODY = """## **The *Test* Declaration**

This declaration was finalized after the first **B40 - Balkan Cities Network** kickoff meeting, see
[the network's site](https://example.org/b40) and <https://example.org/b40/about>.

We, the leaders of the local governments, as __founders__ of the network;

- Being aware of the *potential* of `sustainable development`,
* Knowing that ***climate change*** requires working together,
+ With a shared vision \\*of\\* a European future,

> Recognizing that good governance requires _transparent_ local governance,

---

We declare to;

1. Work together for **climate action** in our cities,
2) Host the ~~old~~ Network meetings.
"""


@pytest.mark.parametrize("engine", ["fast", "plain"])
def test_clause_and_title_literals_are_plain_text(tmp_path: Path, engine: str) -> None:
    text = declaration("markup-test", [ATHENS], MARKUP_BODY, title="'**Test** _Declaration_'")
    root = project(tmp_path / "p", {"2021-11-30-markup.md": text})
    store = built_store(root, engine)
    clauses = select(
        store,
        "SELECT ?n ?text WHERE { <https://w3id.org/b40/id/declaration/markup-test> b40:hasClause ?c . "
        "?c schema:position ?n ; schema:text ?text }",
    )
    texts = [r["text"] for r in sorted(clauses, key=lambda r: int(r["n"]))]
    assert texts == [
        "This declaration was finalized after the first B40 - Balkan Cities Network kickoff meeting, see "
        "the network's site and https://example.org/b40/about.",
        "Being aware of the potential of sustainable development,",
        "Knowing that climate change requires working together,",
        "With a shared vision *of* a European future,",
        "Recognizing that good governance requires transparent local governance,",
        "Work together for climate action in our cities,",
        "Host the old Network meetings.",
    ]
    titles = select(
        store,
        "SELECT ?p ?t WHERE { <https://w3id.org/b40/id/declaration/markup-test> ?p ?t . "
        "VALUES ?p { dct:title rdfs:label } }",
    )
    assert {r["t"] for r in titles} == {"Test Declaration"}
    labels = select(store, "SELECT ?l WHERE { ?c a b40:Clause ; rdfs:label ?l }")
    assert labels and all(r["l"].endswith("of Test Declaration") for r in labels)
    for literal in texts + [r["l"] for r in labels]:
        assert "**" not in literal and "__" not in literal and "](" not in literal and "`" not in literal
        assert not literal.startswith(("- ", "* ", "+ ", "> ", "#", "1.", "2)"))
    # the verbatim text and the checksum are the source's, markup and all
    verbatim = select(store, "SELECT ?t WHERE { ?d a b40:Declaration ; schema:text ?t }")
    assert "**B40 - Balkan Cities Network**" in verbatim[0]["t"] and "~~old~~" in verbatim[0]["t"]
    sha = hashlib.sha256((root / "data/declarations/2021-11-30-markup.md").read_bytes()).hexdigest()
    found = select(
        store,
        "SELECT ?v WHERE { ?doc b40:path 'data/declarations/2021-11-30-markup.md' ; "
        "<http://spdx.org/rdf/terms#checksum>/<http://spdx.org/rdf/terms#checksumValue> ?v }",
    )
    assert [r["v"] for r in found] == [sha]


def test_signature_blocks_in_markup_are_read(tmp_path: Path) -> None:
    athens = "**On behalf of City of Athens**\n\n\n**Kostas BAKOYANNIS**\n_Mayor of Athens_\n"
    root = project(tmp_path / "p", {"2021-11-30-bold.md": declaration("bold-test", [athens])})
    store = built_store(root)
    rows = select(store, "SELECT ?name ?role WHERE { ?s prov:agent/foaf:name ?name ; b40:roleText ?role }")
    assert rows == [{"name": "Kostas Bakoyannis", "role": "Mayor of Athens"}]


# -- item 5: one person per printed name ----------------------------------------------------------------


def _persons(store: ox.Store) -> list[dict[str, str]]:
    return select(
        store,
        "SELECT DISTINCT ?p ?name ?given ?family WHERE { ?p a foaf:Person ; foaf:name ?name ; foaf:givenName ?given ; "
        "foaf:familyName ?family }",
    )


@pytest.mark.parametrize("engine", ["fast", "plain"])
def test_invisible_characters_apostrophes_and_particles_make_one_person(tmp_path: Path, engine: str) -> None:
    first = declaration(
        "first",
        [
            signature("City of Athens", "Ursula von der LEYEN", "Mayor of Athens"),
            signature("City of Belgrade", "Seán O'BRIEN", "Mayor of Belgrade"),
            signature("Istanbul Metropolitan Municipality", "Ekrem İMAMOĞLU", "Mayor of Istanbul"),
        ],
    )
    second = declaration(
        "second",
        [
            signature("City of Athens", "Ur\u00adsula VON DER LEYEN", "Mayor of Athens"),
            signature("City of Belgrade", "Seán O\u2019BRIEN", "Mayor of Belgrade"),
            signature("Istanbul Metropolitan Municipality", "Ekrem İMAM\u200bOĞLU", "Mayor of Istanbul"),
        ],
        founding=False,
    )
    root = project(tmp_path / "p", {"2021-11-30-first.md": first, "2021-12-01-second.md": second})
    persons = sorted(_persons(built_store(root, engine)), key=lambda r: r["p"])
    base = "https://w3id.org/b40/id/person/"
    assert persons == [
        {"p": base + "ekrem-imamoglu", "name": "Ekrem İmamoğlu", "given": "Ekrem", "family": "İmamoğlu"},
        {"p": base + "sean-o-brien", "name": "Seán O'Brien", "given": "Seán", "family": "O'Brien"},
        {
            "p": base + "ursula-von-der-leyen",
            "name": "Ursula von der Leyen",
            "given": "Ursula",
            "family": "von der Leyen",
        },
    ]


def _cli_build(root: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "b40graph.cli", "build", "--root", str(root), "--no-progress"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_a_front_matter_key_given_twice_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = declaration("twice", [ATHENS]).replace("language: en\n", "language: en\ntitle: Another Title\n")
    root = project(tmp_path / "p", {"2021-11-30-twice.md": text})
    assert main(["build", "--root", str(root), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "data/declarations/2021-11-30-twice.md:6:" in err
    assert "'title' is given twice (first on line 3)" in err


def test_a_municipality_signing_twice_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    again = signature("Athens", "Maria PAPADOPOULOU", "Deputy Mayor of Athens")
    text = declaration("double", [ATHENS, BELGRADE, again])
    root = project(tmp_path / "p", {"2021-11-30-double.md": text})
    lines = text.split("\n")
    first = lines.index("On behalf of City of Athens") + 1
    second = lines.index("On behalf of Athens") + 1
    assert main(["build", "--root", str(root), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert f"data/declarations/2021-11-30-double.md:{second}:" in err
    assert f"signs a second time for the municipality 'athens' (first on line {first})" in err


NEAR = {
    "2021-11-30-first.md": declaration("first", [ATHENS, BELGRADE]),
    "2021-12-01-second.md": declaration(
        "second",
        [
            signature("City of Athens", "Kostas BAKOYIANNIS", "Mayor of Athens"),
            signature("City of Belgrade", "Z. RADOJIĆ", "Mayor of Belgrade"),
        ],
        founding=False,
    ),
}


@pytest.mark.parametrize("engine", ["fast", "plain"])
def test_near_duplicate_names_are_warned_about(tmp_path: Path, engine: str) -> None:
    root = project(tmp_path / "p", NEAR)
    compiled = compile_dataset(Settings(root=root, out=root / "dist", engine=engine))
    assert compiled.conforms
    warnings = sorted(str(w) for w in compiled.warnings)
    assert len(warnings) == 2, warnings
    assert "'Kostas Bakoyannis'" in warnings[0] and "'Kostas Bakoyiannis'" in warnings[0]
    assert "one or two letters apart" in warnings[0]
    assert "'Z. Radojić'" in warnings[1] and "'Zoran Radojić'" in warnings[1]
    assert "same family name and given-name initial" in warnings[1]
    for warning in warnings:
        assert "data/declarations/2021-11-30-first.md:" in warning
        assert "data/declarations/2021-12-01-second.md:" in warning


def test_the_build_prints_near_duplicates_and_succeeds(tmp_path: Path) -> None:
    root = project(tmp_path / "p", NEAR)
    done = _cli_build(root)
    assert done.returncode == 0, done.stderr
    assert "'Kostas Bakoyannis'" in done.stderr and "'Kostas Bakoyiannis'" in done.stderr
    assert "'Z. Radojić'" in done.stderr and (root / "dist" / "current").is_dir()


def test_distinct_names_give_no_warning(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"2021-11-30-first.md": declaration("first", [ATHENS, BELGRADE])})
    assert compile_dataset(Settings(root=root, out=root / "dist")).warnings == []


def test_an_elided_particle_belongs_to_the_family_name() -> None:
    """'Massimo d'ALEMA', 'Valéry GISCARD d'ESTAING': the lower-case d' (l', dell', ...) glued to the family
    name in capitals is part of it, as a particle is ('von der LEYEN'); the name is read, not refused."""
    assert split_name("Massimo d'ALEMA") == ("Massimo", "d'ALEMA")
    assert split_name("Maria d\u2019ANGELO") == ("Maria", "d'ANGELO")
    assert split_name("Valéry GISCARD d'ESTAING") == ("Valéry", "GISCARD d'ESTAING")
    assert split_name("Anna dell'ORTO") == ("Anna", "dell'ORTO")
    assert proper_family_name("d'ALEMA") == "d'Alema"
    assert proper_family_name("GISCARD d'ESTAING") == "Giscard d'Estaing"
    assert split_name("Massimo d'Alema") is None  # no family name in capitals: still refused
    assert split_name("Massimo dalema'ALEMA") is None  # not an elided particle


def test_one_person_printed_two_ways_is_told_with_both_spellings_and_files(tmp_path: Path) -> None:
    """'Kostas BAKOYANNIS' and 'kostas BAKOYANNIS' are one identifier (person/kostas-bakoyannis) with two
    names: the build fails (the shapes allow one name) and says which spellings, in which files."""
    first = declaration("first", [ATHENS, BELGRADE])
    second = declaration(
        "second", [signature("City of Athens", "kostas BAKOYANNIS", "Mayor of Athens")], founding=False
    )
    root = project(tmp_path / "p", {"2021-11-30-first.md": first, "2021-12-01-second.md": second})
    done = _cli_build(root)
    assert done.returncode == 1, done.stderr
    told = [line for line in done.stderr.splitlines() if "printed two ways" in line]
    assert len(told) == 1, done.stderr
    assert "'Kostas Bakoyannis' (" in told[0] and "'kostas Bakoyannis' (" in told[0]
    assert "2021-11-30-first.md:" in told[0] and "2021-12-01-second.md:" in told[0]
    assert "person/kostas-bakoyannis" in told[0]
