"""Reading the structure of a declaration's verbatim text: clauses and signature blocks.

The parser works on real documents: stray blank lines, lines holding only (no-break) spaces, roles
printed over several lines, names with the family name in capitals, Markdown markup. Clause texts and
the title are plain text: the printed lines joined by single spaces, without the Markdown markup
(emphasis, headings, bullets, links -> their text); the verbatim body itself is kept as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from b40graph.core.errors import DataError, Problems
from b40graph.core.text import is_blank, plain, plain_line, split_name, squash

PREAMBLE = "preamble"
OPERATIVE = "operative"

_ON_BEHALF = re.compile(r"^\s*On behalf of\s+(?P<party>\S.*?)\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?P<text>.*)$")
_RULE = re.compile(r"^\s*([-*_=])(\s*\1){2,}\s*$")  # a thematic break or a heading underline
_DATE = re.compile(r"^\s*Date:\s*(?P<date>.*?)\s*$", re.IGNORECASE)
_HEADING = re.compile(r"^\s*(#+\s|\*\*)")
# A paragraph is operative when "we" is followed, within the sentence, by a verb of commitment.
_OPERATIVE = re.compile(
    r"\bwe\b[^.;]*?\b(declare|pledge|reaffirm|commit|resolve|agree|undertake|call on|stand united|oppose|stress|"
    r"emphasi[sz]e|will)\b",
    re.IGNORECASE,
)


@dataclass
class Clause:
    position: int
    kind: str
    text: str
    line: int


@dataclass
class SignatureBlock:
    party: str  # as printed after "On behalf of"
    line: int  # the "On behalf of" line
    name: str = ""
    name_line: int = 0
    given_name: str = ""
    family_name_printed: str = ""
    role: str = ""
    role_line: int = 0


@dataclass
class ParsedText:
    title: str
    clauses: list[Clause] = field(default_factory=list)
    signatures: list[SignatureBlock] = field(default_factory=list)
    date: dt.date | None = None
    date_line: int = 0


def _blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in lines:
        if is_blank(line) or _RULE.match(line):
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append((number, line))
    return [b for b in blocks if b]


def _parse_date(value: str) -> dt.date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%B %d, %Y", "%d %B %Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _text_section(path: Path, lines: list[tuple[int, str]], parsed: ParsedText, problems: Problems) -> None:
    mode: str | None = None  # set by a lead-in line ending in ';' or ':'
    title_parts: list[str] = []
    for block in _blocks(lines):
        first_number, first = block[0]
        date = _DATE.match(plain(plain_line(first)))
        if date and len(block) == 1:
            parsed.date = _parse_date(date.group("date"))
            parsed.date_line = first_number
            if parsed.date is None:
                problems.add(
                    f"cannot read the date '{date.group('date')}'",
                    path,
                    first_number,
                    "write it as DD.MM.YYYY or YYYY-MM-DD",
                )
            continue
        if _HEADING.match(first) and not parsed.clauses and mode is None:
            title_parts.extend(plain_line(line) for _, line in block)
            continue
        if _BULLET.match(first):
            items: list[tuple[int, list[str]]] = []
            for number, line in block:
                bullet = _BULLET.match(line)
                if bullet:
                    items.append((number, [bullet.group("text")]))
                else:
                    items[-1][1].append(line)
            for number, parts in items:
                kind = mode or PREAMBLE
                parsed.clauses.append(Clause(len(parsed.clauses) + 1, kind, plain(" ".join(parts)), number))
            continue
        text = plain(" ".join(plain_line(line) for _, line in block))
        if text.endswith((";", ":")):
            mode = OPERATIVE if _OPERATIVE.search(text) else PREAMBLE
            continue
        kind = OPERATIVE if _OPERATIVE.search(text) else PREAMBLE
        parsed.clauses.append(Clause(len(parsed.clauses) + 1, kind, text, first_number))
    parsed.title = plain(" ".join(title_parts))


def _signature(path: Path, block: list[tuple[int, str]], problems: Problems) -> SignatureBlock:
    number, header = block[0]
    match = _ON_BEHALF.match(header)
    assert match is not None
    sig = SignatureBlock(party=squash(match.group("party")), line=number)
    rest = [(n, squash(line)) for n, line in block[1:] if not is_blank(line)]
    if not rest:
        problems.add(
            f"the signature block 'On behalf of {sig.party}' has no name and no role",
            path,
            number,
            "under 'On behalf of …' write the signatory's name (family name in capitals), "
            "then the role on the next line",
        )
        return sig
    sig.name_line, sig.name = rest[0]
    split = split_name(sig.name)
    if split is None:
        problems.add(
            f"the signature block 'On behalf of {sig.party}' has no name line: found '{sig.name}' where "
            "the name should be, which does not print a family name in capitals after a given name",
            path,
            sig.name_line,
            "write the name as printed, given name first and family name in capitals "
            "(e.g. 'Ekrem İMAMOĞLU') on the first line after 'On behalf of …'",
        )
        return sig
    sig.given_name, sig.family_name_printed = split
    if len(rest) < 2:
        problems.add(
            f"the signature of {sig.name} has no role",
            path,
            sig.name_line,
            "write the role (e.g. 'Mayor of Athens') on the line after the name",
        )
        return sig
    sig.role_line = rest[1][0]
    sig.role = squash(" ".join(line for _, line in rest[1:]))
    return sig


def parse_text(path: Path, body: str, first_line: int) -> ParsedText:
    """Parse a verbatim body whose first line is line `first_line` of `path`."""
    lines = list(enumerate(body.split("\n"), start=first_line))
    lines = [(n, line.rstrip("\r")) for n, line in lines]
    start = next((i for i, (_, line) in enumerate(lines) if _ON_BEHALF.match(plain(plain_line(line)))), len(lines))
    parsed = ParsedText(title="")
    problems = Problems()
    _text_section(path, lines[:start], parsed, problems)
    current: list[tuple[int, str]] = []
    for number, line in ((n, plain(plain_line(text))) for n, text in lines[start:]):  # signatures in plain text
        if _ON_BEHALF.match(line) and current:
            parsed.signatures.append(_signature(path, current, problems))
            current = []
        current.append((number, line))
    if current:
        parsed.signatures.append(_signature(path, current, problems))
    if not parsed.clauses:
        problems.add(
            "no clauses found in the text",
            path,
            first_line,
            "the body must hold the declaration's text: paragraphs or '- ' bullet points",
        )
    problems.raise_if_any()
    return parsed


__all__ = ["OPERATIVE", "PREAMBLE", "Clause", "DataError", "ParsedText", "SignatureBlock", "parse_text"]
