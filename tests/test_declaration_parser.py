"""The declaration parser on its own: front matter (sources/files.py) and the verbatim text's clauses and
signature blocks (sources/declaration.py), with the file and line of every error.

Every expected value below is read off the input text by hand (the line numbers are counted in the text),
not taken from the parser's output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from b40graph.core.errors import DataError
from b40graph.sources.declaration import OPERATIVE, PREAMBLE, parse_text
from b40graph.sources.files import read_source

FRONT = [
    "---",  # 1
    "# Curated metadata.",  # 2
    "id: 2024-test-declaration",  # 3
    "title: The Test Declaration",  # 4
    "adopted: 2024-05-06",  # 5
    "language: en",  # 6
    "source: >-",  # 7
    "  Typed for a test,",  # 8
    "  not copied.",  # 9
    "founding: true",  # 10
    "themes:",  # 11
    "  climate action: 2",  # 12
    "---",  # 13
]
BODY = [
    "",  # 14
    "## **THE TEST DECLARATION**",  # 15
    "",  # 16
    "We, the mayors of the participating cities;",  # 17: a lead-in without a commitment: preamble follows
    "\u00a0 ",  # 18: only (no-break) spaces: a blank line
    "- Recognising the value of cooperation among cities,",  # 19: clause 1
    "- Aware of the need to act",  # 20: clause 2 ...
    "  on *climate change*,",  # 21: ... continued
    "",  # 22
    "In line with these values, we declare to;",  # 23: a lead-in with a commitment: operative follows
    "",  # 24
    "1. Work together on **green energy**,",  # 25: clause 3
    "2) Share [good practices](https://example.org/x) with the members.",  # 26: clause 4
    "",  # 27
    "We will meet again next year.",  # 28: clause 5, a paragraph: "we ... will"
    "",  # 29
    "The cities thank the host.",  # 30: clause 6, a paragraph without "we"
    "",  # 31
    "Date: 06.05.2024",  # 32
    "",  # 33
    "On behalf of City of Athens",  # 34
    "",  # 35
    "",  # 36
    "Kostas BAKOYANNIS",  # 37
    "Mayor of Athens\r",  # 38 (a CRLF line end)
    "",  # 39
    "On behalf of  Municipality\u00a0of   Prishtina  ",  # 40: odd white space
    "Mer\u200bita MALIQI",  # 41: a zero-width space inside the given name
    "Head of International Cooperation",  # 42: a role over two lines
    "   and EU Integration",  # 43
    "",  # 44
    "**On behalf of** City of Split",  # 45: Markdown around the words
    "Ivica PULJAK",  # 46
    "Mayor of Split",  # 47
]
PATH = Path("data/declarations/2024-05-06-test-declaration.md")


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / PATH.name
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n")
    return path


def _problems(call) -> list[tuple[str, int | None, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError) as err:
        call()
    return [(Path(str(p.file)).name, p.line, p.message) for p in err.value.problems]


# -- front matter ---------------------------------------------------------------------------------------------


def test_front_matter_keys_values_and_their_lines(tmp_path):
    path = _write(tmp_path, FRONT + BODY)
    source = read_source(path)
    assert source.meta == {
        "id": "2024-test-declaration",
        "title": "The Test Declaration",
        "adopted": dt.date(2024, 5, 6),
        "language": "en",
        "source": "Typed for a test, not copied.",
        "founding": True,
        "themes": {"climate action": 2},
    }
    assert source.meta_lines == {
        "id": 3,
        "title": 4,
        "adopted": 5,
        "language": 6,
        "source": 7,
        "founding": 10,
        "themes": 11,
    }
    assert source.body_first_line == 14
    assert source.body.split("\n")[1] == "## **THE TEST DECLARATION**"  # the body is kept verbatim
    assert source.id == "2024-test-declaration" and source.adopted == dt.date(2024, 5, 6)
    raw = path.read_bytes()
    assert (source.sha256, source.size) == (hashlib.sha256(raw).hexdigest(), len(raw))


def test_a_byte_order_mark_is_dropped(tmp_path):
    path = _write(tmp_path, FRONT + BODY)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_source(path).meta["id"] == "2024-test-declaration"


def _with(replacements: dict[int, str | None]) -> list[str]:
    """FRONT + BODY with the lines numbered in `replacements` (1-based) replaced, or removed (None)."""
    lines = FRONT + BODY
    out = []
    for number, line in enumerate(lines, start=1):
        if number in replacements:
            if replacements[number] is not None:
                out.append(replacements[number])
        else:
            out.append(line)
    return out


@pytest.mark.parametrize(
    "replacements,line,message",
    [
        ({1: "# no front matter"}, 1, "the file does not start with a '---' front-matter line"),
        ({13: "--"}, 1, "the front matter is never closed"),
        ({6: "title: Again"}, 6, "the front-matter key 'title' is given twice (first on line 4)"),
        ({6: "langauge: en"}, 6, "unknown front-matter key 'langauge'"),
        ({5: "adopted: 06.05.2024"}, 5, "adopted '06.05.2024' is not a date"),
        ({5: "adopted: 2024-02-30"}, 5, "a value in the front matter is not valid"),
        ({3: "id: Test Declaration"}, 3, "id 'Test Declaration' is not a slug"),
        ({6: "language: english!"}, 6, "language 'english!' is not a BCP 47 language tag"),
        ({10: "founding: maybe"}, 10, "founding must be true or false"),
        ({12: "  climate action: second"}, 11, "themes must map a theme label to a clause number"),
        ({4: None}, 2, "the front matter has no 'title'"),
        ({6: "language: e\x07n"}, 6, "the front matter contains the control character U+0007"),
        ({4: "title: [unclosed"}, 5, "the front matter is not valid YAML"),
    ],
)
def test_front_matter_errors_name_file_and_line(tmp_path, replacements, line, message):
    path = _write(tmp_path, _with(replacements))
    problems = _problems(lambda: read_source(path))
    assert any(p[0] == PATH.name and p[1] == line and p[2].startswith(message) for p in problems), problems


def test_a_file_not_in_utf8_names_the_line_of_the_bad_byte(tmp_path):
    path = _write(tmp_path, FRONT + BODY)
    raw = path.read_bytes().replace(b"Kostas", b"K\xf6stas")  # a Latin-1 byte on line 37
    path.write_bytes(raw)
    (name, line, message) = _problems(lambda: read_source(path))[0]
    assert (name, line) == (PATH.name, 37) and message.startswith("the file is not valid UTF-8 (byte 0xf6")


# -- clauses --------------------------------------------------------------------------------------------------


def _parsed():  # type: ignore[no-untyped-def]
    return parse_text(PATH, "\n".join(BODY), 14)


def test_title_and_date():
    parsed = _parsed()
    assert parsed.title == "THE TEST DECLARATION"
    assert (parsed.date, parsed.date_line) == (dt.date(2024, 5, 6), 32)


def test_clauses_numbered_in_order_with_kind_text_and_line():
    clauses = [(c.position, c.kind, c.text, c.line) for c in _parsed().clauses]
    assert clauses == [
        (1, PREAMBLE, "Recognising the value of cooperation among cities,", 19),
        (2, PREAMBLE, "Aware of the need to act on climate change,", 20),
        (3, OPERATIVE, "Work together on green energy,", 25),
        (4, OPERATIVE, "Share good practices with the members.", 26),
        (5, OPERATIVE, "We will meet again next year.", 28),
        (6, PREAMBLE, "The cities thank the host.", 30),
    ]


def test_paragraphs_without_a_lead_in_are_classed_by_their_own_words():
    body = "We reaffirm our commitment to the rule of law.\n\nThe summit met in Sofia.\n\nwe call on all cities to act."
    clauses = [(c.kind, c.line) for c in parse_text(PATH, body, 20).clauses]
    assert clauses == [(OPERATIVE, 20), (PREAMBLE, 22), (OPERATIVE, 24)]


# -- signature blocks -----------------------------------------------------------------------------------------


def test_signature_blocks_person_role_party_and_lines():
    signatures = [
        (s.party, s.line, s.name, s.name_line, s.given_name, s.family_name_printed, s.role, s.role_line)
        for s in _parsed().signatures
    ]
    assert signatures == [
        ("City of Athens", 34, "Kostas BAKOYANNIS", 37, "Kostas", "BAKOYANNIS", "Mayor of Athens", 38),
        (
            "Municipality of Prishtina",
            40,
            "Merita MALIQI",
            41,
            "Merita",
            "MALIQI",
            "Head of International Cooperation and EU Integration",
            42,
        ),
        ("City of Split", 45, "Ivica PULJAK", 46, "Ivica", "PULJAK", "Mayor of Split", 47),
    ]


def test_family_name_particles_and_several_given_names():
    body = "We will act.\n\nOn behalf of City of Brussels\nUrsula Gertrud von der LEYEN\nPresident\n"
    (sig,) = parse_text(PATH, body, 1).signatures
    assert (sig.given_name, sig.family_name_printed, sig.role) == ("Ursula Gertrud", "von der LEYEN", "President")


def test_a_text_without_signatures_has_none():
    parsed = parse_text(PATH, "We pledge to act together.\n", 9)
    assert parsed.signatures == [] and [c.text for c in parsed.clauses] == ["We pledge to act together."]


# -- errors with file and line --------------------------------------------------------------------------------


def test_signature_errors_are_all_reported_with_their_lines():
    body = "\n".join(
        [
            "We will act.",  # 1
            "",  # 2
            "On behalf of City of Pula",  # 3: nothing under it
            "",  # 4
            "On behalf of City of Kotor",  # 5
            "the mayor of Kotor",  # 6: no name in capitals
            "Mayor of Kotor",  # 7
            "",  # 8
            "On behalf of City of Split",  # 9
            "Ivica PULJAK",  # 10: a name, then no role
        ]
    )
    problems = _problems(lambda: parse_text(PATH, body, 1))
    assert [(p[1], p[2].split(":")[0]) for p in problems] == [
        (3, "the signature block 'On behalf of City of Pula' has no name and no role"),
        (6, "the signature block 'On behalf of City of Kotor' has no name line"),
        (10, "the signature of Ivica PULJAK has no role"),
    ]
    assert {p[0] for p in problems} == {PATH.name}


def test_an_unreadable_date_names_its_line():
    problems = _problems(lambda: parse_text(PATH, "We will act.\n\nDate: 31.02.2024\n", 30))
    assert problems == [(PATH.name, 32, "cannot read the date '31.02.2024'")]


def test_a_text_without_clauses_names_the_first_line_of_the_body():
    problems = _problems(
        lambda: parse_text(PATH, "## **A TITLE ONLY**\n\nOn behalf of City of Split\nIvica PULJAK\nMayor\n", 15)
    )
    assert problems == [(PATH.name, 15, "no clauses found in the text")]
