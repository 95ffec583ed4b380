"""One fold and one order for names in every script (issue 14, "lists sorted by the reader's language"):
core.text's `fold` (search) and `sort_key` (every list), checked on Greek, Turkish dotted and dotless i,
Serbian Cyrillic and Çanakkale, and the same order on the overview pages, the resource pages and among
search results that rank alike."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox

from b40graph.core.text import ascii_fold, fold, slugify, sort_key
from b40graph.model import themes
from b40graph.search.index import INDEX_FILE, SearchIndex, write_index
from b40graph.store.tables import store_select
from b40graph.web import overviews, readable

BASE = "https://w3id.org/b40/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
MUNICIPALITY = ox.NamedNode("https://w3id.org/b40/ontology#Municipality")

#: In the order a reader expects: Latin letters with their accents among the plain ones (Ç with the C's,
#: dotted İ and dotless ı as i), then Greek (accents ignored), then Serbian Cyrillic in its alphabet's order
#: (Ђ after Д, Ј after И, Љ after Л, Њ after Н, Ћ after Т, Џ after Ч).
ORDERED = [
    "Çanakkale",
    "Canberra",
    "Cetinje",
    "Edirne",
    "Iğdır",
    "ilica",
    "İzmir",
    "Kırklareli",
    "Kotor",
    "Zagreb",
    "Αθήνα",
    "Άργος",
    "Βόλος",
    "Ζάκυνθος",
    "Београд",
    "Дубровник",
    "Ђаковица",
    "Ивањица",
    "Јагодина",
    "Крагујевац",
    "Лесковац",
    "Љиг",
    "Ниш",
    "Његош",
    "Тутин",
    "Ћуприја",
    "Ужице",
    "Чачак",
    "Џеп",
    "Шабац",
]


def _shuffled(names: list[str]) -> list[str]:
    out = list(names)
    random.Random(40).shuffle(out)
    return out


def test_fold_keeps_every_script_and_folds_accents_case_and_turkish_i() -> None:
    assert fold("Αθήνα") == fold("ΑΘΗΝΑ") == "αθηνα"
    assert fold("Београд") == fold("БЕОГРАД") == "београд"
    assert fold("İSTANBUL") == fold("istanbul") == fold("Istanbul") == "istanbul"
    assert fold("Kırklareli") == fold("KIRKLARELİ") == "kirklareli"
    assert fold("Çanakkale") == "canakkale" and fold("Đurđevac") == "durdevac"
    assert fold("  Δήμος \u00a0 Αθηναίων ") == "δημοσ αθηναιων"  # final sigma is sigma
    # the ASCII fold is for slugs: it drops what is not Latin
    assert ascii_fold("Αθήνα") == "" and ascii_fold("Çanakkale") == "Canakkale"
    assert slugify("Çanakkale Belediyesi") == "canakkale-belediyesi"


def test_sort_key_files_names_as_readers_expect() -> None:
    assert sorted(_shuffled(ORDERED), key=sort_key) == ORDERED
    assert readable.sort_key is sort_key  # resource pages sort with it


def test_overview_lists_sort_greek_and_cyrillic_names_by_their_letters() -> None:
    """The overviews' sort key was the ASCII fold, which made every Greek or Cyrillic name an empty string."""
    assert sorted(_shuffled(ORDERED), key=overviews._by_name) == ORDERED
    assert sorted(["Ζάκυνθος", "Athens", "Αθήνα", "Zagreb"], key=overviews._by_name) == [
        "Athens",
        "Zagreb",
        "Αθήνα",
        "Ζάκυνθος",
    ]


def test_the_theme_tagger_folds_greek_as_search_does() -> None:
    for text in ("ΚΛΙΜΑΤΙΚΉ ΑΛΛΑΓΉ", "Δήμος Αθηναίων", "Ζάκυνθος"):
        assert themes.fold(text, "el") == fold(text)
    assert themes.fold("KIRKLARELİ", "tr") == "kırklareli"  # Turkish casing kept where accents are letters


def test_search_results_that_rank_alike_come_in_the_same_order(tmp_path: Path) -> None:
    """Municipalities named '<name> Municipality', numbered so that their IRIs' order is not their names':
    a search for 'municipality' ranks them all alike, so they come by name."""
    store = ox.Store()
    names = _shuffled(ORDERED)
    for i, name in enumerate(names):
        iri = ox.NamedNode(f"{BASE}id/municipality/m{i:02d}")
        store.add(ox.Quad(iri, RDF_TYPE, MUNICIPALITY))
        store.add(ox.Quad(iri, RDFS_LABEL, ox.Literal(f"{name} Municipality", language="en")))
    write_index(store_select(store), BASE, tmp_path / INDEX_FILE)
    index = SearchIndex(tmp_path / INDEX_FILE)
    hits = index.search("municipality")
    assert len({h.score for h in hits}) == 1
    assert [h.name.removesuffix(" Municipality") for h in hits] == ORDERED
    # a page of them: the first by name, not the first found
    assert [h.name.removesuffix(" Municipality") for h in index.search("municipality", limit=3)] == ORDERED[:3]
