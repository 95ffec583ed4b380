"""Declarations in other languages: the tagger matches by the text's language, and a translation is
published as a language version of its original (one work), never as a declaration of its own.

The Turkish text is test data (tests/fixtures/translations/), the project's own translation."""

from __future__ import annotations

import logging
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from b40graph.core.errors import DataError
from b40graph.core.settings import Settings
from b40graph.model.themes import fold, tag
from b40graph.pipeline import build
from b40graph.sources.declaration import OPERATIVE, Clause
from b40graph.sources.reference import Theme
from b40graph.web.app import create_app

from .conftest import BASE, ROOT, make_backend, seed_project, select

FIXTURES = ROOT / "tests" / "fixtures" / "translations"
FIXTURE = FIXTURES / "2021-11-30-b40-founding-declaration-tr.md"
ORIGINAL = f"{BASE}id/declaration/2021-b40-founding-declaration"
TURKISH = f"{BASE}id/declaration/2021-b40-founding-declaration-tr"
VERSIONS = {"tr": TURKISH, "el": f"{BASE}id/declaration/2021-b40-founding-declaration-el"}
ORIGINAL_FILE = "2021-11-30-b40-founding-declaration.md"


def _project(tmp: Path, text: str | None = None) -> Path:
    """A copy of the project with the test translations (Turkish and Greek); `text` replaces the Turkish."""
    root = seed_project(tmp / "project")
    for path in FIXTURES.glob("*.md"):
        shutil.copyfile(path, root / "data" / "declarations" / path.name)
    if text is not None:
        (root / "data" / "declarations" / FIXTURE.name).write_text(text, encoding="utf-8")
    return root


def _settings(root: Path, out: Path, engine: str = "fast") -> Settings:
    return Settings(root=root, out=out, query_timeout=3, query_workers=1, engine=engine)


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("translated")
    settings = _settings(_project(tmp), tmp / "dist")
    release = build(settings)
    import pyoxigraph as ox

    return settings, release, ox.Store.read_only(str(release.store))


def _themes_by_position(store, declaration: str) -> dict[int, set[str]]:  # type: ignore[no-untyped-def]
    rows = select(
        store,
        f"""SELECT ?position ?theme WHERE {{
            <{declaration}> b40:hasCommitment ?c . ?c b40:theme ?theme ; b40:statedIn ?clause .
            ?clause schema:position ?position }}""",
    )
    found: dict[int, set[str]] = {}
    for row in rows:
        found.setdefault(int(row["position"]), set()).add(row["theme"])
    return found


@pytest.mark.parametrize("lang", sorted(VERSIONS))
def test_the_translated_clauses_commit_to_the_themes_of_the_english_twins(translated, lang):
    _, _, store = translated
    english = _themes_by_position(store, ORIGINAL)
    translated_themes = _themes_by_position(store, VERSIONS[lang])
    assert len(english) >= 5  # the original's operative clauses are tagged
    assert translated_themes == english


@pytest.mark.parametrize("lang", sorted(VERSIONS))
def test_the_matches_are_words_of_the_translated_clause(translated, lang):
    _, _, store = translated
    rows = select(
        store,
        f"""SELECT ?label ?text ?clauseText WHERE {{
            <{VERSIONS[lang]}> b40:hasCommitment ?c . ?c b40:matchedLabel ?label ; b40:matchedText ?text ;
            b40:statedIn/schema:text ?clauseText }}""",
    )
    assert rows
    for row in rows:
        assert row["text"] in row["clauseText"]
    languages = {
        r["lang"]
        for r in select(
            store,
            f"""SELECT (LANG(?l) AS ?lang) WHERE {{
        <{VERSIONS[lang]}> b40:hasCommitment/b40:matchedLabel ?l }}""",
        )
    }
    assert languages == {lang}


@pytest.mark.parametrize("lang", sorted(VERSIONS))
def test_the_translation_is_a_language_version_of_its_original(translated, lang):
    _, _, store = translated
    version = VERSIONS[lang]
    ask = f"""ASK {{
        <{version}> a b40:Translation ; schema:translationOfWork <{ORIGINAL}> ; dct:isVersionOf <{ORIGINAL}> ;
            dct:language <http://id.loc.gov/vocabulary/iso639-1/{lang}> ; dct:title ?title .
        <{ORIGINAL}> schema:workTranslation <{version}> ; dct:hasVersion <{version}> .
        FILTER(LANG(?title) = "{lang}")
    }}"""
    prefixes = "PREFIX b40: <https://w3id.org/b40/ontology#> PREFIX dct: <http://purl.org/dc/terms/> "
    prefixes += "PREFIX schema: <https://schema.org/> "
    assert store.query(prefixes + ask)
    # not a declaration of its own, asserted or inferred
    assert not select(store, f"SELECT ?x WHERE {{ <{version}> a ?x FILTER(?x = b40:Declaration) }}")
    declarations = {r["d"] for r in select(store, "SELECT DISTINCT ?d WHERE { ?d a b40:Declaration }")}
    assert version not in declarations and ORIGINAL in declarations
    # clause by clause: each translated clause translates the original's clause at its position, of its kind
    rows = select(
        store,
        f"""SELECT ?clause ?position ?of ?kind ?theirKind WHERE {{
            <{version}> b40:hasClause ?clause . ?clause schema:position ?position ; schema:translationOfWork ?of ;
            a ?kind . ?of schema:position ?position ; b40:clauseOf <{ORIGINAL}> ; a ?theirKind .
            FILTER(?kind IN (b40:OperativeClause, b40:PreambleClause))
            FILTER(?theirKind IN (b40:OperativeClause, b40:PreambleClause))
        }}""",
    )
    originals = select(store, f"SELECT ?c WHERE {{ <{ORIGINAL}> b40:hasClause ?c }}")
    assert len(rows) == len(originals) > 0
    assert all(r["kind"] == r["theirKind"] for r in rows)


def test_a_translation_mints_no_signature_person_or_membership(translated):
    settings, _, store = translated
    graph = f"{BASE}graph/declaration/2021-b40-founding-declaration-tr"
    minted = select(
        store,
        f"""SELECT ?s ?type WHERE {{ GRAPH <{graph}> {{ ?s a ?type }}
            FILTER(?type IN (b40:Signature, foaf:Person, org:Membership, b40:SignatoryRole)) }}""",
    )
    assert minted == []
    assert not select(store, f"SELECT ?s WHERE {{ <{TURKISH}> b40:hasSignature ?s }}")
    # the original's signatories are the same persons as before: one signature per block of the original
    signed = select(store, f"SELECT ?s WHERE {{ <{ORIGINAL}> b40:hasSignature ?s }}")
    blocks = (settings.declarations_dir / ORIGINAL_FILE).read_text(encoding="utf-8").count("On behalf of ")
    assert len(signed) == blocks
    persons = select(store, "SELECT DISTINCT ?p WHERE { ?p a foaf:Person }")
    agents = select(store, "SELECT DISTINCT ?p WHERE { ?s a b40:Signature ; prov:agent ?p }")
    assert len(persons) == len(agents)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs.extend(v for k, v in attrs if tag == "a" and k == "href" and v)


def test_the_originals_page_links_its_language_versions(translated):
    settings, _, _ = translated
    backend = make_backend("embedded", settings)
    try:
        app = create_app(settings, backend)
        app.config["TESTING"] = True
        html = {"Accept": "text/html"}
        response = app.test_client().get("/doc/declaration/2021-b40-founding-declaration", headers=html)
        assert response.status_code == 200
        links = _Links()
        links.feed(response.get_data(as_text=True))
        assert any(h.rstrip("/").endswith("declaration/2021-b40-founding-declaration-tr") for h in links.hrefs)
        back = app.test_client().get("/doc/declaration/2021-b40-founding-declaration-tr", headers=html)
        assert back.status_code == 200
        links = _Links()
        links.feed(back.get_data(as_text=True))
        assert any(h.rstrip("/").endswith("declaration/2021-b40-founding-declaration") for h in links.hrefs)
    finally:
        backend.close()


def test_both_engines_publish_the_same_translation(translated, tmp_path):
    settings, release, _ = translated
    plain = build(_settings(settings.root, tmp_path / "plain", engine="plain"))
    assert plain.version == release.version


def _problems(root: Path, out: Path, engine: str) -> list:  # type: ignore[type-arg]
    with pytest.raises(DataError) as err:
        build(_settings(root, out, engine))
    return err.value.problems


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("engine", ["fast", "plain"])
def test_a_translation_of_a_missing_declaration_is_an_error(tmp_path, engine):
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "translationOf: 2021-b40-founding-declaration", "translationOf: 2021-b40-founding-declaraton"
    )
    problems = _problems(_project(tmp_path, text), tmp_path / "dist", engine)
    [problem] = [p for p in problems if "2021-b40-founding-declaraton" in p.message]
    assert problem.file is not None and problem.file.name == FIXTURE.name
    assert problem.line == _line_of(text, "translationOf:")
    assert "2021-b40-founding-declaration" in (problem.fix or "")


@pytest.mark.parametrize("engine", ["fast", "plain"])
def test_a_translation_whose_signatures_differ_is_an_error(tmp_path, engine):
    text = FIXTURE.read_text(encoding="utf-8").replace("Mayor of Kotor", "Deputy Mayor of Kotor")
    problems = _problems(_project(tmp_path, text), tmp_path / "dist", engine)
    [problem] = [p for p in problems if "signature block" in p.message]
    assert problem.file is not None and problem.file.name == FIXTURE.name
    assert problem.line == _line_of(text, "On behalf of Kotor Municipality")
    assert "Deputy Mayor of Kotor" in problem.message and ORIGINAL_FILE in problem.message


def test_a_translation_missing_signature_blocks_is_an_error(tmp_path):
    full = FIXTURE.read_text(encoding="utf-8")
    text = full[: full.index("On behalf of Municipality of Tirana")]
    problems = _problems(_project(tmp_path, text), tmp_path / "dist", "fast")
    [problem] = [p for p in problems if "signature blocks" in p.message]
    assert "Tirana" in problem.message and problem.file is not None and problem.file.name == FIXTURE.name


def test_a_translation_in_the_originals_language_is_an_error(tmp_path):
    text = FIXTURE.read_text(encoding="utf-8").replace("language: tr", "language: en")
    problems = _problems(_project(tmp_path, text), tmp_path / "dist", "fast")
    [problem] = [p for p in problems if "language of its original" in p.message]
    assert problem.line == _line_of(text, "language: en")


def test_a_translation_with_another_clause_count_is_an_error(tmp_path):
    text = FIXTURE.read_text(encoding="utf-8").replace("- Ağ Sekretaryasına destek sağlamak.\n", "")
    problems = _problems(_project(tmp_path, text), tmp_path / "dist", "fast")
    [problem] = [p for p in problems if "clauses" in p.message]
    assert "15 clauses" in problem.message and "16" in problem.message


# -- the tagger's language rules -------------------------------------------------------------------


def _theme(*labels: Literal) -> Theme:
    return Theme(URIRef(f"{BASE}id/theme/t"), "t", sorted(labels, key=lambda lab: -len(str(lab))))


def _clause(text: str) -> Clause:
    return Clause(1, OPERATIVE, text, 1)


def test_turkish_dotted_and_dotless_i():
    assert fold("İKLİM DEĞİŞİKLİĞİ", "tr") == "iklim değişikliği"
    assert fold("KIRKLARELİ", "tr") == "kırklareli"
    assert fold("KIRKLARELİ", "en") != "kırklareli"  # English rules: I is i
    theme = _theme(Literal("küresel ısınma", lang="tr"))
    [match] = tag([_clause("KÜRESEL ISINMAYA karşı birlikte")], [theme], "tr")
    assert match.clause.text[match.start : match.end] == "KÜRESEL ISINMAYA"
    # dotless I is not dotted i in Turkish: 'ISIM' is 'ısım', which 'isim' does not match
    assert not tag([_clause("ISIM")], [_theme(Literal("isim", lang="tr"))], "tr")
    assert tag([_clause("İSİM")], [_theme(Literal("isim", lang="tr"))], "tr")


def test_greek_accents_and_final_sigma():
    assert fold("ΚΛΙΜΑΤΙΚΉΣ ΑΛΛΑΓΉΣ", "el") == fold("κλιματικης αλλαγης", "el")
    assert fold("πολιτισμός", "el") == fold("ΠΟΛΙΤΙΣΜΟΣ", "el")
    theme = _theme(Literal("κλιματική αλλαγή", lang="el"))
    for text in ("της κλιματικής αλλαγής", "ΤΗΣ ΚΛΙΜΑΤΙΚΗΣ ΑΛΛΑΓΗΣ", "την κλιματικη αλλαγη"):
        [match] = tag([_clause(f"Δράση για {text} τώρα")], [theme], "el")
        assert match.clause.text[match.start : match.end] == text.split(" ", 1)[1]
    # decomposed accents (NFD) are matched too, and the offsets stay those of the clause's text
    nfd = "Η ΕΙΡΗ\u0301ΝΗ"
    [match] = tag([_clause(nfd)], [_theme(Literal("ειρήνη", lang="el"))], "el")
    assert match.clause.text[match.start : match.end] == "ΕΙΡΗ\u0301ΝΗ"


def test_labels_of_another_language_never_match():
    theme = _theme(Literal("democracy", lang="en"), Literal("demokrasi", lang="tr"))
    assert not tag([_clause("democracy")], [theme], "tr")
    assert not tag([_clause("demokrasi")], [theme], "en")
    assert tag([_clause("democracy")], [theme], "en")
    # English keeps whole words; other languages let a word take an ending
    assert not tag([_clause("democracyx")], [theme], "en")
    assert tag([_clause("demokrasinin")], [theme], "tr-TR")


def test_every_theme_has_turkish_and_greek_labels():
    from b40graph.sources.reference import load_reference

    ref = load_reference(ROOT / "data", BASE)
    for theme in ref.themes:
        languages = {(label.language or "").split("-")[0] for label in theme.labels}
        assert {"en", "tr", "el"} <= languages, theme.slug


def test_a_declaration_in_a_language_without_labels_is_warned_about(tmp_path, caplog):
    root = seed_project(tmp_path / "project")
    path = root / "data" / "declarations" / "2025-02-24-b40-sofia-summit-declaration.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("language: en", "language: de", 1), encoding="utf-8")
    with caplog.at_level(logging.WARNING), pytest.raises(DataError):  # no theme: the shapes refuse it too
        build(_settings(root, tmp_path / "dist"))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(path.name in w and "'de'" in w for w in warnings), warnings


def test_romanian_s_and_t_with_cedilla_are_the_letters_with_comma():
    assert fold("Schimbările climatice", "ro") == fold("SCHIMBĂRILE CLIMATICE", "ro")
    theme = _theme(Literal("dezvoltare durabilă", lang="ro"))
    assert fold("şţ", "ro") == fold("șț", "ro") and fold("şţ", "tr") != fold("șț", "tr")
    [match] = tag([_clause("pentru dezvoltarea durabilă a oraşelor")], [theme], "ro")
    assert match.clause.text[match.start : match.end] == "dezvoltarea durabilă"


def test_a_translation_of_a_translation_is_an_error(tmp_path):
    greek = (FIXTURES / "2021-11-30-b40-founding-declaration-el.md").read_text(encoding="utf-8")
    root = _project(tmp_path)
    path = root / "data" / "declarations" / "2021-11-30-b40-founding-declaration-el.md"
    text = greek.replace(
        "translationOf: 2021-b40-founding-declaration", "translationOf: 2021-b40-founding-declaration-tr"
    )
    path.write_text(text, encoding="utf-8")
    problems = _problems(root, tmp_path / "dist", "fast")
    [problem] = [p for p in problems if "2021-b40-founding-declaration-tr" in p.message]
    assert problem.file == path and problem.line == _line_of(text, "translationOf:")


def test_the_originals_own_keys_are_refused_in_a_translation(tmp_path):
    text = FIXTURE.read_text(encoding="utf-8").replace("language: tr\n", "language: tr\nfounding: true\n")
    problems = _problems(_project(tmp_path, text), tmp_path / "dist", "plain")
    [problem] = [p for p in problems if "'founding'" in p.message]
    assert problem.line == _line_of(text, "founding: true")
