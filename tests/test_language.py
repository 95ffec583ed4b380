"""Pages in the client's language: labels, `<html lang>`, Content-Language, `Vary: Accept, Accept-Language`,
an ETag per language, and `?lang=` to choose without the header. RDF documents do not vary on language."""

from __future__ import annotations

import csv
import re

import pytest

from b40graph.web.pages import choose_language

from .conftest import ROOT

HTML = {"Accept": "text/html"}


def _municipality(slug: str) -> dict[str, str]:
    with (ROOT / "data/municipalities.csv").open(encoding="utf-8") as fh:
        return next(row for row in csv.DictReader(fh) if row["slug"] == slug)


def _html_lang(body: str) -> str:
    found = re.search(r'<html lang="([^"]*)"', body)
    assert found, body[:200]
    return found.group(1)


def _vary(r) -> set[str]:  # type: ignore[no-untyped-def]
    return {v.strip().lower() for v in r.headers.get("Vary", "").split(",")}


@pytest.mark.parametrize("slug", ["athens", "belgrade"])
def test_a_page_in_the_local_language(client, slug):
    row = _municipality(slug)
    asked = row["lang_local"].split("-")[0]  # "sr" finds the dataset's "sr-Cyrl"
    r = client.get(f"/doc/municipality/{slug}", headers={**HTML, "Accept-Language": f"{asked}, en;q=0.5"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    tag = row["lang_local"].lower()  # language tags are case-insensitive (the store keeps them in lower case)
    assert r.headers["Content-Language"].lower() == tag == _html_lang(body).lower()
    assert {"accept", "accept-language"} <= _vary(r)
    assert f"<title>{row['name_local']} ·" in body


def test_each_language_has_its_own_etag_and_english_is_the_default(client):
    path = "/doc/municipality/athens"
    row = _municipality("athens")
    greek = client.get(path, headers={**HTML, "Accept-Language": "el"})
    english = client.get(path, headers={**HTML, "Accept-Language": "en-GB,en;q=0.8"})
    unknown = client.get(path, headers={**HTML, "Accept-Language": "fr-CH, fr;q=0.9"})
    none = client.get(path, headers=HTML)
    for r in (english, unknown, none):
        assert r.headers["Content-Language"] == "en" and _html_lang(r.get_data(as_text=True)) == "en"
        assert f"<title>{row['name_en']} ·" in r.get_data(as_text=True)
    assert greek.headers["ETag"] != english.headers["ETag"] == unknown.headers["ETag"]
    # a cache holding the Greek page must not answer an English request with it
    assert client.get(path, headers={**HTML, "If-None-Match": greek.headers["ETag"]}).status_code == 200
    assert client.get(path, headers={**HTML, "If-None-Match": english.headers["ETag"]}).status_code == 304
    again = client.get(path, headers={**HTML, "Accept-Language": "el", "If-None-Match": greek.headers["ETag"]})
    assert again.status_code == 304


def test_lang_parameter_overrides_the_header(client):
    row = _municipality("athens")
    r = client.get("/doc/municipality/athens?lang=el", headers={**HTML, "Accept-Language": "en"})
    assert r.headers["Content-Language"] == "el" and f"<title>{row['name_local']} ·" in r.get_data(as_text=True)
    r = client.get("/doc/municipality/athens?lang=en", headers={**HTML, "Accept-Language": "el"})
    assert r.headers["Content-Language"] == "en" and f"<title>{row['name_en']} ·" in r.get_data(as_text=True)


@pytest.mark.parametrize("value", ["not a tag", "e1!", "x" * 100, ""])
def test_a_bad_lang_parameter_is_400(client, value):
    r = client.get("/doc/municipality/athens", query_string={"lang": value}, headers=HTML)
    assert r.status_code == 400 and r.headers["X-B40-Error"] == "bad-request"


def test_rdf_documents_do_not_vary_on_language(client):
    a = client.get("/doc/municipality/athens", headers={"Accept": "text/turtle", "Accept-Language": "el"})
    b = client.get("/doc/municipality/athens", headers={"Accept": "text/turtle", "Accept-Language": "en"})
    assert a.status_code == b.status_code == 200 and a.data == b.data and a.headers["ETag"] == b.headers["ETag"]
    assert "accept-language" not in _vary(a) and "Content-Language" not in a.headers


@pytest.mark.parametrize(
    "wanted,expected",
    [
        ([("el", 1.0)], "el"),
        ([("EL", 1.0)], "el"),
        ([("sr", 1.0)], "sr-Cyrl"),
        ([("sr-cyrl", 1.0)], "sr-Cyrl"),
        ([("en-GB", 1.0)], "en"),
        ([("fr", 1.0), ("el", 0.5)], "el"),
        ([("el", 0.4), ("tr", 0.9)], "tr"),
        ([("fr", 1.0)], "en"),
        ([("*", 1.0)], "en"),
        ([("el", 0.0)], "en"),
        ([], "en"),
    ],
)
def test_choose_language(wanted, expected):
    assert choose_language(wanted, ["el", "sr-Cyrl", "tr"]) == expected
