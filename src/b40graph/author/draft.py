"""Drafting a declaration file from a document as it arrives (PDF, Word .docx, Markdown, plain text).

`draft_declaration` extracts the text, guesses the front matter (id, title, adoption date, language,
publisher) and marks every guess with a `# GUESSED` comment, then runs the draft through the project's own
reader, parser, assembler and tagger to review it (author/review.py): the signatures as the build will read
them, the municipalities it cannot resolve (with the closest names in data/municipalities.csv), the themes
matched per clause, and what the curator must check. The text comes from author/extract.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from b40graph.author.extract import extract_text, mark_title
from b40graph.author.review import Draft, review, review_text
from b40graph.core.errors import DataError, Problem, UsageError
from b40graph.core.settings import Settings
from b40graph.core.text import is_blank, slugify, squash
from b40graph.sources.declaration import ParsedText, parse_text
from b40graph.sources.files import declaration_paths, read_source
from b40graph.sources.reference import load_reference

MARK = "# GUESSED"


_WORDS = {
    "en": ("English", "the and of to in we our for with that on by are this will"),
    "tr": ("Turkish", "ve bir bu ile için olarak biz olan da de belediye şehirlerimiz"),
    "sq": ("Albanian", "dhe të në për që një me është së qyteteve"),
    "ro": ("Romanian", "și în la cu pentru care este să din orașelor"),
    "hr": ("Croatian, Bosnian or Serbian (Latin script)", "i u je za na se da su od sa gradova"),
    "sl": ("Slovenian", "in v je za na se da so od z mest"),
    "de": ("German", "und der die das zu mit für wir von den"),
    "fr": ("French", "et le la les des pour dans nous une du"),
    "it": ("Italian", "e il la di per che con nel delle noi"),
}
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DATES = (
    (re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b"), lambda m: (m[3], m[2], m[1])),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), lambda m: (m[1], m[2], m[3])),
    (re.compile(rf"\b(\d{{1,2}})\s+({'|'.join(_MONTHS)})\s+(\d{{4}})\b", re.I), lambda m: (m[3], m[2], m[1])),
    (re.compile(rf"\b({'|'.join(_MONTHS)})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), lambda m: (m[3], m[1], m[2])),
)


def guess_language(text: str) -> tuple[str, str]:
    """A BCP 47 tag and the language's name, from the script and the commonest short words."""
    letters = [c for c in text if c.isalpha()]
    greek = sum(1 for c in letters if "GREEK" in unicodedata.name(c, ""))
    cyrillic = [c for c in letters if "CYRILLIC" in unicodedata.name(c, "")]
    if greek > len(letters) / 3:
        return "el", "Greek"
    if len(cyrillic) > len(letters) / 3:
        low = "".join(cyrillic).lower()
        if any(c in low for c in "ћђ"):
            return "sr-Cyrl", "Serbian (Cyrillic)"
        if any(c in low for c in "ќѓѕ"):
            return "mk", "Macedonian"
        return "bg", "Bulgarian"
    words = re.findall(r"\w+", text.lower())
    scores = {code: sum(words.count(w) for w in set(stop.split())) for code, (_, stop) in _WORDS.items()}
    best = max(scores, key=lambda code: scores[code])
    return (best, _WORDS[best][0]) if scores[best] else ("en", "English")


def _date_in(text: str) -> dt.date | None:
    found: list[tuple[int, dt.date]] = []
    for pattern, parts in _DATES:
        for match in pattern.finditer(text):
            year, month, day = parts(match)
            month_number = _MONTHS.index(month.lower()) + 1 if month.isalpha() else int(month)
            try:
                found.append((match.start(), dt.date(int(year), month_number, int(day))))
            except ValueError:
                continue
    return min(found)[1] if found else None


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _existing(settings: Settings) -> list[dict[str, Any]]:
    """The front matter of the declarations already in the project (those that read)."""
    folder = settings.declarations_dir
    try:
        paths = declaration_paths(folder) if folder.is_dir() else []
    except DataError:
        paths = sorted(folder.glob("*.md"))
    metas = []
    for path in paths:
        try:
            metas.append(read_source(path, settings.max_source_bytes).meta)
        except DataError:
            continue
    return metas


def _parse(path: Path, body: str) -> tuple[ParsedText | None, list[Problem]]:
    try:
        return parse_text(path, body, 1), []
    except DataError as err:
        return None, err.problems


def draft_declaration(path: Path, settings: Settings, today: dt.date | None = None) -> Draft:
    """Draft data/declarations/<date>-<slug>.md from the document at `path` (nothing is written: see `write`)."""
    today = today or dt.date.today()
    path = Path(path)
    text, kind = extract_text(path, settings.max_source_bytes)
    checks: list[str] = []
    if kind in ("PDF", "Word"):
        text, marked = mark_title(text)
        if marked:
            checks.append("the first lines of the text were taken for the title and marked with '# ': check them")
        checks.append(f"compare the text with the {kind} document: extraction may have lost or merged lines")
    ref = load_reference(settings.data_dir, settings.base)
    guessed: dict[str, str] = {}
    title, adopted = _title_and_date(path, text, today, guessed)
    language, language_name = guess_language(text)
    guessed["language"] = f"{language_name}, from the words of the text"
    existing = _existing(settings)
    ident, slug = _ident(title, adopted, settings, existing)
    guessed["id"] = "from the year and the title"
    target = settings.declarations_dir / f"{adopted.isoformat()}-{slug}.md"
    meta: dict[str, Any] = {"id": ident, "title": title, "adopted": adopted, "language": language}
    if len(ref.network_slugs) == 1:
        meta["publisher"] = ref.network_slugs[0]
        guessed["publisher"] = "the only network in data/network.ttl"
        if not any(m.get("founding") for m in existing):
            meta["founding"] = True  # a network's first declaration makes its signatories members
            guessed["founding"] = "no declaration founds the network yet: is this its founding declaration?"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    meta["source"] = (
        f"Text extracted by b40graph add on {today.isoformat()} from the {kind} file {path.name} "
        f"(SHA-256 {digest}); describe where the document comes from."
    )
    guessed["source"] = "say who adopted the text and where the original is"
    document = _document(path, text, today, meta, guessed)
    draft = Draft(path, target, document, meta, guessed, checks=checks)
    review(draft, settings, ref)
    return draft


def _title_and_date(path: Path, text: str, today: dt.date, guessed: dict[str, str]) -> tuple[str, dt.date]:
    """The title (the text's heading, else its first line) and the adoption date (the text's 'Date:' line,
    else its first date, else today), with how each was guessed in `guessed` (nothing for a 'Date:' line)."""
    parsed, _ = _parse(path, text)
    title = parsed.title if parsed is not None and parsed.title else ""
    if title:
        guessed["title"] = "from the heading at the top of the text"
    else:
        first = next((line for line in text.split("\n") if not is_blank(line)), path.stem)
        title = squash(first.replace("*", "").lstrip("#")) or path.stem
        guessed["title"] = "from the first line of the text"
    adopted = parsed.date if parsed is not None else None
    if adopted is None:
        adopted = _date_in(text)
        if adopted is not None:
            guessed["adopted"] = "the first date in the text"
        else:
            adopted = today
            guessed["adopted"] = "no date in the text: today's date"
    return title[:200], adopted


def _ident(title: str, adopted: dt.date, settings: Settings, existing: list[dict[str, Any]]) -> tuple[str, str]:
    """The id (year and title) and file slug, numbered past those of the project's declarations."""
    slug = slugify(title)[:60].strip("-") or "declaration"
    ident = f"{adopted.year}-{slug}"
    taken = {str(m.get("id")) for m in existing}
    suffix = 1
    while ident in taken or (settings.declarations_dir / f"{adopted.isoformat()}-{slug}.md").exists():
        suffix += 1
        slug = f"{slugify(title)[:60].strip('-') or 'declaration'}-{suffix}"
        ident = f"{adopted.year}-{slug}"
    return ident, slug


def _document(path: Path, text: str, today: dt.date, meta: dict[str, Any], guessed: dict[str, str]) -> str:
    """The drafted file: the front matter, every guess marked, then the text as extracted."""
    notes = {**guessed}
    if "adopted" not in guessed:
        notes["adopted"] = "read from the text's 'Date:' line"
    header = [
        "---",
        f"# Drafted by `b40graph add` from {path.name} on {today.isoformat()}. Check each line marked",
        f"# '{MARK}' against the document, correct it if needed and delete the mark. Below the closing '---'",
        "# is the text as extracted: compare it with the original.",
    ]
    for key, value in meta.items():
        shown = _yaml_string(value) if key in ("title", "source") else "true" if value is True else str(value)
        note = f"{MARK}: {notes[key]}" if key in guessed else f"# {notes.get(key, '')}"
        header.append(f"{key}: {shown}  {note}" if key in notes else f"{key}: {shown}")
    header.append("---")
    body = text if text.endswith("\n") else text + "\n"
    return "\n".join(header) + "\n" + body


def write(draft: Draft) -> Path:
    """Write the draft; never over an existing file."""
    draft.target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with draft.target.open("x", encoding="utf-8", newline="\n") as fh:
            fh.write(draft.text)
    except FileExistsError:
        raise UsageError(f"{draft.target}: already exists; nothing was written") from None
    draft.written = True
    return draft.target


__all__ = ["Draft", "draft_declaration", "extract_text", "guess_language", "review_text", "write"]
