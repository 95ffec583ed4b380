"""`b40graph init`: a working project for a new network, valid (and publishable) while it is still empty.

The ontology and the SHACL shapes are copied from the installed package (the wheel carries ontology/ and
shapes/ as b40graph/vocabulary/, see setup.py), or from the source checkout when running from one.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from b40graph.core.errors import UsageError
from b40graph.core.settings import CONFIG_FILE
from b40graph.core.text import slugify

# The headers of the reference tables (tests/test_add_init.py checks them against the B40 project's).
HEADERS = {
    "countries.csv": "code,name_en,alt_en,name_local,lang_local,wikidata,geonames",
    "places.csv": "slug,type,name_en,name_local,lang_local,country,within,wikidata,geonames,lat,long",
    "municipalities.csv": "slug,name_en,name_local,lang_local,place,aliases",
    "events.csv": "slug,name_en,start,end,place,organizer,founded_network",
    "memberships.csv": "network,municipality,joined,left,basis",
}
MODEL = ("ontology", "shapes")

# Starter themes: (slug, preferred label, alternative labels, definition).
_THEMES = (
    (
        "intercity-cooperation",
        "Intercity cooperation",
        ("cooperation among cities", "cooperation between cities", "dialogue among our cities", "intercity dialogue"),
        "Member cities talking to each other and working together on shared concerns.",
    ),
    (
        "climate-action",
        "Climate action",
        ("climate change", "climate neutrality", "climate adaptation", "emissions"),
        "Reducing emissions and adapting to a changing climate.",
    ),
    (
        "sustainable-development",
        "Sustainable development",
        ("sustainability", "sustainable development goals", "sustainable urban development"),
        "Development that meets today's needs without compromising those of future generations.",
    ),
    (
        "local-democracy",
        "Local democracy",
        ("democratic values", "good governance", "transparency", "accountability"),
        "Accountable, transparent and democratic local government.",
    ),
    (
        "participation",
        "Citizen participation",
        ("participation of local communities", "participatory", "civil society"),
        "Involving residents and local communities in the decisions that concern them.",
    ),
    (
        "economy",
        "Local economy",
        ("economy", "economic development", "jobs", "tourism"),
        "Economic development, employment and tourism in the member cities.",
    ),
    (
        "culture",
        "Culture",
        ("culture", "cultural heritage", "cultural exchange"),
        "Culture, heritage and exchanges between the people of the member cities.",
    ),
    (
        "sharing-good-practices",
        "Sharing good practices",
        ("good practices", "best practices", "sharing solutions", "exchange of experience"),
        "Members passing on to each other the solutions that have served them well.",
    ),
)


def _turtle_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def network_ttl(name: str, slug: str) -> str:
    label = _turtle_string(name)
    return f"""# The network itself. IRIs are relative: the build resolves them against the base in b40graph.toml.
# Add what you know: dct:description, schema:foundingDate "YYYY-MM-DD"^^xsd:date,
# schema:foundingLocation <id/place/SLUG>, org:resultedFrom <id/event/SLUG> (see data/events.csv).
@prefix b40:    <https://w3id.org/b40/ontology#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .

<id/network/{slug}> a b40:Network ;
    rdfs:label {label}@en ;
    skos:prefLabel {label}@en .
"""


def themes_ttl(name: str) -> str:
    scheme = _turtle_string(f"{name} declaration themes")
    tops = " , ".join(f"theme:{slug}" for slug, *_ in _THEMES)
    parts = [
        f"""# The themes that the network's declarations commit to: a SKOS concept scheme to curate.
#
# IRIs are relative: the build resolves them against the base in b40graph.toml. <id/themes> is the
# scheme, theme:x is <id/theme/x>.
#
# The tagger links an operative clause to a theme when one of the theme's labels (skos:prefLabel or
# skos:altLabel, in the declaration's language) occurs in the clause, ignoring case, as whole words.
# Use as altLabels the wordings that really occur in your declarations; keep them specific. Every theme
# must be listed as a skos:hasTopConcept of the scheme.

@prefix theme:  <id/theme/> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:    <http://purl.org/dc/terms/> .

<id/themes> a skos:ConceptScheme ;
    rdfs:label {scheme}@en ;
    skos:prefLabel {scheme}@en ;
    dct:title {scheme}@en ;
    skos:hasTopConcept {tops} .
"""
    ]
    for slug, label, alternatives, definition in _THEMES:
        alts = " , ".join(f"{_turtle_string(a)}@en" for a in alternatives)
        parts.append(
            f"""
theme:{slug} a skos:Concept ;
    rdfs:label {_turtle_string(label)}@en ;
    skos:prefLabel {_turtle_string(label)}@en ;
    skos:altLabel {alts} ;
    skos:definition {_turtle_string(definition)}@en ;
    skos:inScheme <id/themes> ;
    skos:topConceptOf <id/themes> .
"""
        )
    return "".join(parts)


def config_toml(name: str, base: str, slug: str) -> str:
    """The project's b40graph.toml: the site configuration, every key written out or shown commented out."""
    q = _turtle_string  # a TOML basic string is quoted and escaped the same way
    description = (
        f"The declarations of the {name} as Linked Open Data: who signed, for which municipality, in which "
        "role; which themes each declaration commits to, and the clause that shows it."
    )
    return f"""# The site configuration: what every page, the dataset description and the downloads say.
# See "Site configuration" in the b40graph README. `b40graph build` checks it; a key it does not know
# or a value of the wrong kind is an error naming the key.
name = {q(name)}
base = {q(base)}
title = {q(name + " declarations")}
description = {q(description)}
# The publisher of the dataset: an IRI, absolute or relative to base. Left out: the network of data/network.ttl.
# publisher = "id/network/{slug}"
# The licence of the data (an IRI). Left out: the dct:license that data/network.ttl states, if any.
# licence = "https://creativecommons.org/licenses/by/4.0/"
# The languages of the data (language tags), e.g. ["en", "de", "hu"].
languages = ["en"]
# An e-mail address or a web page where users reach the secretariat.
# contact = "secretariat@example.org"
# The name of the download files: {slug}.nq, {slug}.ttl, ...
dump = {q(slug)}
"""


def readme(name: str, base: str) -> str:
    return f"""# {name}: declarations as Linked Open Data

This folder is a b40graph project: the declarations of the {name} and the reference data they refer to.
`b40graph build` checks everything and publishes the dataset under {base} into `dist/`;
`b40graph serve` serves it at http://127.0.0.1:8000/.

## What is here

- `b40graph.toml`: the site configuration: the network's name, public base IRI, title, licence, contact, ...
- `data/declarations/`: one file per declaration: a front matter (id, title, adopted, language, source, ...)
  between two `---` lines, then the text exactly as signed, ending with the signature blocks
  ("On behalf of …", the signatory's name with the family name in capitals, the role).
- `data/municipalities.csv`, `data/places.csv`, `data/countries.csv`: the members, their places and countries.
  Every "On behalf of …" must name a municipality listed here (by name or by an alias).
- `data/events.csv`: meetings and summits where declarations were adopted.
- `data/network.ttl`: the network itself; `data/themes.ttl`: the themes declarations commit to.
- `ontology/`, `shapes/`: the vocabulary and the checks (do not edit).

## Adding a declaration

    b40graph add ~/Downloads/declaration.pdf     # or .docx, .md, .txt
    b40graph build

`add` writes a draft into `data/declarations/` and prints what it found: the signatures, municipalities it
could not find in `data/municipalities.csv` (with the closest names), the themes per clause and what to check.
Lines marked `# GUESSED` in the draft are guesses: check them and delete the mark. Add the members (and their
places and countries) before the build, or the build names each missing one.

The secretariat guide of b40graph (docs/secretariat.md) describes the file format and every error.
"""


def model_files(kind: str) -> list[Path]:
    """The Turtle files of ontology/ or shapes/: from the package when installed, else from the source checkout."""
    packaged = Path(str(resources.files("b40graph") / "vocabulary" / kind))
    checkout = Path(__file__).resolve().parents[3] / kind
    for folder in (packaged, checkout):
        found = sorted(folder.glob("*.ttl")) if folder.is_dir() else []
        if found:
            return found
    raise UsageError(f"the {kind} files are not installed with b40graph (looked in {packaged} and {checkout})")


def init_project(folder: Path, name: str, base: str, slug: str | None = None) -> Path:
    """Create the project folder for the network `name`, published under `base`."""
    name = " ".join(name.split())
    if not name:
        raise UsageError("--name must not be empty")
    if not base.startswith(("http://", "https://")):
        raise UsageError(f"--base '{base}' is not an http(s) IRI, e.g. https://example.org/danube/")
    if not base.endswith(("/", "#")):
        base += "/"
    slug = slugify(slug or name)
    if not slug:
        raise UsageError(f"cannot make an IRI segment from '{name}': give one with --slug")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder}: already exists and is not an empty folder; choose a new folder")
    sources = {kind: model_files(kind) for kind in MODEL}
    data = folder / "data"
    (data / "declarations").mkdir(parents=True, exist_ok=True)
    (data / "declarations" / ".gitkeep").write_text("", encoding="utf-8")
    for file, header in HEADERS.items():
        (data / file).write_text(header + "\n", encoding="utf-8")
    (data / "network.ttl").write_text(network_ttl(name, slug), encoding="utf-8")
    (data / "themes.ttl").write_text(themes_ttl(name), encoding="utf-8")
    for kind, files in sources.items():
        (folder / kind).mkdir(exist_ok=True)
        for source in files:
            shutil.copyfile(source, folder / kind / source.name)
    (folder / CONFIG_FILE).write_text(config_toml(name, base, slug), encoding="utf-8")
    (folder / "README.md").write_text(readme(name, base), encoding="utf-8")
    (folder / ".gitignore").write_text("dist/\n", encoding="utf-8")
    return folder


__all__ = ["HEADERS", "init_project", "model_files"]
