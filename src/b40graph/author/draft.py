"""Drafting a declaration file from a document as it arrives (PDF, Word .docx, Markdown, plain text).

`draft_declaration` extracts the text, guesses the front matter (id, title, adoption date, language,
publisher) and marks every guess with a `# GUESSED` comment, then runs the draft through the project's own
reader, parser, assembler and tagger (sources.py, parse.py, assemble.py, tagger.py) to review it: the
signatures as the build will read them, the municipalities it cannot resolve (with the closest names in
data/municipalities.csv), the themes matched per clause, and what the curator must check.

Extraction keeps the text: PDF lines stay as printed (no de-hyphenation; runs of spaces that only justify
or indent a line become one space), only page-number lines and headers or footers repeated on most pages
are dropped, and a page break counts as a paragraph break where a sentence ends or a new block starts.
A .docx gives one block per paragraph (one line per paragraph when the document separates its blocks with
empty paragraphs), table cells as blocks, list items as '- ' bullets and heading paragraphs as '# ' lines.
When a PDF or .docx does not mark its title, a short first block of lines is marked as the title ('# ')
and the review says so.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.namespace import FOAF, PROV, RDFS

from b40graph.core.errors import DataError, Problem, Problems, UsageError
from b40graph.core.iris import Minter
from b40graph.core.settings import Settings
from b40graph.core.text import is_blank, slugify, squash
from b40graph.core.vocab import B40
from b40graph.model.declarations import add_declaration
from b40graph.model.nodes import Assembly
from b40graph.model.themes import tag
from b40graph.sources.declaration import OPERATIVE, ParsedText, parse_text
from b40graph.sources.files import declaration_paths, decode, read_source
from b40graph.sources.reference import Reference, core, load_reference

TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text")
SUFFIXES = (".pdf", ".docx", *TEXT_SUFFIXES)
MARK = "# GUESSED"


@dataclass
class SignatureReview:
    party: str  # as printed after "On behalf of"
    line: int  # of the draft
    municipality: str | None  # the slug in data/municipalities.csv, None when not resolved
    municipality_name: str = ""  # its name_en
    suggestions: list[str] = field(default_factory=list)  # close names (difflib), or the closest one
    name_printed: str = ""
    person: str = ""  # the name as the build publishes it (family name in proper case)
    role: str = ""  # the role as the build publishes it ("Mayor", "Deputy Mayor", ...)


@dataclass
class ClauseReview:
    position: int
    kind: str
    text: str
    line: int
    themes: list[tuple[str, str]] = field(default_factory=list)  # (theme slug, label that matched)


@dataclass
class Draft:
    source: Path  # the document read
    target: Path  # data/declarations/<date>-<slug>.md
    text: str  # the whole drafted file
    meta: dict[str, Any]
    guessed: dict[str, str]  # front-matter key -> how it was guessed
    signatures: list[SignatureReview] = field(default_factory=list)
    clauses: list[ClauseReview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # what stops the build until it is fixed
    checks: list[str] = field(default_factory=list)  # what the curator must check
    written: bool = False

    @property
    def unresolved(self) -> list[SignatureReview]:
        return [s for s in self.signatures if s.municipality is None]


# --- Extraction --------------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(page|p\.|seite|sayfa|strana|σελίδα|страница)?\s*\d{1,4}(\s*(/|of|od|από|из|од)\s*\d{1,4})?[-–—\s]*$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*[-*•]\s+")
_BLOCK_START = re.compile(r"^\s*([-*•]\s+|On behalf of\b|Date:)", re.IGNORECASE)
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


def _unreadable(path: Path, what: str, err: object = None) -> UsageError:
    detail = f" ({err})" if err else ""
    return UsageError(f"{path}: {what}{detail}")


def _trim(lines: list[str]) -> list[str]:
    while lines and is_blank(lines[0]):
        lines.pop(0)
    while lines and is_blank(lines[-1]):
        lines.pop()
    return lines


def _pdf_pages(path: Path) -> list[str]:
    import pypdf

    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _unreadable(path, "the PDF is encrypted with a password", None)
        pages = []
        for page in reader.pages:
            try:
                pages.append(page.extract_text(extraction_mode="layout"))
            except Exception:  # noqa: BLE001 - the layout mode fails on some odd pages; the plain mode reads them
                pages.append(page.extract_text())
    except UsageError:
        raise
    except Exception as err:  # noqa: BLE001 - pypdf raises many types on a damaged file
        raise _unreadable(path, "cannot read the PDF: the file is damaged or not a PDF", err) from None
    return pages


def _repeated(pages: list[list[str]], index: int) -> set[str]:
    """Lines that stand at the same end (0: top, -1: bottom) of most pages: running headers or footers."""
    if len(pages) < 3:
        return set()
    ends = [re.sub(r"\d+", "#", squash(p[index])) for p in pages if p]
    return {line for line in set(ends) if ends.count(line) >= max(3, len(pages) * 0.6)}


def _layout(line: str) -> str:
    """A printed line without the spaces that only place it (indentation, justification), ligatures spelt out."""
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", line.strip()).translate(_LIGATURES)


def pdf_text(path: Path) -> str:
    pages = [_trim([_layout(line) for line in page.split("\n")]) for page in _pdf_pages(path)]
    for index in (0, -1):
        repeated = _repeated(pages, index)
        for lines in pages:
            while lines and (_PAGE_NUMBER.match(lines[index]) or re.sub(r"\d+", "#", squash(lines[index])) in repeated):
                lines.pop(index)
                _trim(lines)
    out: list[str] = []
    for lines in pages:
        if not lines:
            continue
        if out:
            # A page break ends a paragraph when the page ends a sentence or the next one starts a new block.
            ends = out[-1].rstrip().endswith((".", ";", ":", "!", "?"))
            out.extend([""] if ends or _BLOCK_START.match(lines[0]) else [])
        out.extend(lines)
    return "\n".join(out) + "\n" if out else ""


def docx_text(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
        items: list[Paragraph | list[list[Paragraph]]] = []
        for element in document.iter_inner_content():
            if isinstance(element, Table):
                cells, seen = [], set()
                for row in element.rows:
                    for cell in row.cells:
                        if id(cell._tc) not in seen:  # a merged cell is listed once per column it spans
                            seen.add(id(cell._tc))
                            cells.append(list(cell.paragraphs))
                items.append(cells)
            else:
                items.append(element)
    except Exception as err:  # noqa: BLE001 - python-docx raises many types on a damaged file
        raise _unreadable(path, "cannot read the Word file: the file is damaged or not a .docx", err) from None

    def kind(para: Paragraph) -> str:
        style = (para.style.name if para.style is not None else "") or ""
        if style == "Title" or style.startswith("Heading"):
            return "heading"
        numbered = para._p.pPr is not None and para._p.pPr.numPr is not None
        return "list" if numbered or style.startswith("List") else "text"

    def lines_of(para: Paragraph) -> list[str]:
        prefix = {"heading": "# ", "list": "- ", "text": ""}[kind(para)]
        return [prefix + line if prefix and line.strip() else line for line in para.text.split("\n")]

    paragraphs = [p for p in items if isinstance(p, Paragraph)]
    empty = sum(1 for p in paragraphs if is_blank(p.text))
    # A document typed like plain text (empty paragraphs between blocks) keeps one line per paragraph.
    plain = empty >= max(2, len(paragraphs) * 0.15)
    out: list[str] = []
    previous = ""
    for item in items:
        if isinstance(item, list):  # a table: each cell is a block
            for cell in item:
                lines = [line for para in cell for line in lines_of(para)]
                if not all(is_blank(line) for line in lines):
                    out.extend(["", *_trim(lines)])
            previous = ""
            continue
        if is_blank(item.text):
            if plain:
                out.append("")
            continue
        current = kind(item)
        if not plain and not (current == previous and current in ("list", "heading")):
            out.append("")
        out.extend(lines_of(item))
        previous = current
    return "\n".join(_trim(out)) + "\n" if _trim(out) else ""


def extract_text(path: Path, max_bytes: int = 5 * 1024 * 1024) -> tuple[str, str]:
    """The text of a document and its kind ('PDF', 'Word', 'Markdown', 'text')."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(
            f"{path}: cannot read a '{path.suffix or 'extension-less'}' file; b40graph add reads PDF (.pdf), "
            "Word (.docx), Markdown (.md, .markdown) and plain text (.txt) (save other formats as one of these)"
        )
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    if suffix == ".pdf":
        text, kind = pdf_text(path), "PDF"
    elif suffix == ".docx":
        text, kind = docx_text(path), "Word"
    else:
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise _unreadable(path, "cannot read the file", err.strerror) from None
        text = decode(path, raw, max_bytes).replace("\r\n", "\n")
        kind = "Markdown" if suffix in (".md", ".markdown") else "text"
        if text.split("\n", 1)[0].rstrip() == "---":
            raise UsageError(
                f"{path}: the file already has a front matter ('---' on its first line): it is a declaration "
                "file, not a document to draft from; copy it into data/declarations/ as NAME.md instead"
            )
    text = unicodedata.normalize("NFC", text)
    if is_blank(text):
        hint = " (a scanned PDF has only images: run it through OCR first)" if kind == "PDF" else ""
        raise UsageError(f"{path}: no text found in the {kind} file{hint}")
    return text, kind


def _mark_title(text: str) -> tuple[str, bool]:
    """Mark a short first block of lines (no sentence, no clause) as the title, '# ' before each line."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if not is_blank(line))
    if lines[start].lstrip().startswith(("#", "**")):
        return text, False
    end = next((i for i in range(start, len(lines)) if is_blank(lines[i])), len(lines))
    block = lines[start:end]
    rest = "\n".join(lines[end:])
    if (
        len(block) > 4
        or is_blank(rest)
        or any(len(line) > 80 or line.rstrip().endswith((".", ";", ":", ",")) for line in block)
        or any(_BLOCK_START.match(line) for line in block)
    ):
        return text, False
    lines[start:end] = ["# " + line.strip() for line in block]
    return "\n".join(lines), True


# --- Guesses -----------------------------------------------------------------------------------------------

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


# --- The draft ---------------------------------------------------------------------------------------------


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
        text, marked = _mark_title(text)
        if marked:
            checks.append("the first lines of the text were taken for the title and marked with '# ': check them")
        checks.append(f"compare the text with the {kind} document: extraction may have lost or merged lines")
    ref = load_reference(settings.data_dir, settings.base)

    parsed, _ = _parse(path, text)
    guessed: dict[str, str] = {}
    title = parsed.title if parsed is not None and parsed.title else ""
    if title:
        guessed["title"] = "from the heading at the top of the text"
    else:
        first = next((line for line in text.split("\n") if not is_blank(line)), path.stem)
        title = squash(first.replace("*", "").lstrip("#")) or path.stem
        guessed["title"] = "from the first line of the text"
    title = title[:200]
    adopted = parsed.date if parsed is not None else None
    date_note = "read from the text's 'Date:' line"
    if adopted is None:
        adopted = _date_in(text)
        if adopted is not None:
            guessed["adopted"] = "the first date in the text"
        else:
            adopted = today
            guessed["adopted"] = "no date in the text: today's date"
    language, language_name = guess_language(text)
    guessed["language"] = f"{language_name}, from the words of the text"
    slug = slugify(title)[:60].strip("-") or "declaration"
    ident = f"{adopted.year}-{slug}"
    existing = _existing(settings)
    taken = {str(m.get("id")) for m in existing}
    suffix = 1
    while ident in taken or (settings.declarations_dir / f"{adopted.isoformat()}-{slug}.md").exists():
        suffix += 1
        slug = f"{slugify(title)[:60].strip('-') or 'declaration'}-{suffix}"
        ident = f"{adopted.year}-{slug}"
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

    notes = {**guessed}
    if "adopted" not in guessed:
        notes["adopted"] = date_note
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
    document = "\n".join(header) + "\n" + body

    draft = Draft(path, target, document, meta, guessed, checks=checks)
    _review(draft, settings, ref)
    return draft


def _review(draft: Draft, settings: Settings, ref: Reference) -> None:
    """Read the draft back as the build will (in a scratch folder), and fill in the review."""
    mint = Minter(settings.base)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / draft.target.name
        copy.write_text(draft.text, encoding="utf-8")
        problems = Problems()
        asm = Assembly()
        try:
            src = read_source(copy, settings.max_source_bytes)
            add_declaration(asm, src, ref, mint, settings.root, problems)
        except DataError as err:
            problems.extend(err)
        draft.problems = [
            Problem(p.message, draft.target if p.file == copy else p.file, p.line, p.fix) for p in problems.items
        ]
    parsed = asm.parsed.get(str(draft.meta["id"]))
    if parsed is None:
        draft.checks.append("the text could not be read as a declaration: fix the problems above, then run again")
        return
    decl = mint.declaration(str(draft.meta["id"]))
    graph = asm.graphs[mint.graph(f"declaration/{draft.meta['id']}")]
    for sig in parsed.signatures:
        slug = ref.resolve_municipality(sig.party)
        review = SignatureReview(sig.party, sig.line, slug, name_printed=sig.name)
        review.municipality_name = ref.municipalities[slug]["name_en"] if slug is not None else ""
        if slug is None:
            review.suggestions = ref.suggest_municipality(sig.party) or _closest(ref, sig.party)
        else:
            node = URIRef(f"{decl}/signature/{slug}")
            person = graph.value(node, PROV.agent)
            role = graph.value(node, B40.signatoryRole)
            review.person = str(graph.value(person, FOAF.name) or "") if person is not None else ""
            review.role = str(graph.value(role, RDFS.label) or "") if role is not None else ""
        draft.signatures.append(review)
    language = str(draft.meta["language"])
    matches: dict[int, list[tuple[str, str]]] = {}
    for match in tag(parsed.clauses, ref.themes, language):
        matches.setdefault(match.clause.position, []).append((match.theme.slug, str(match.label)))
    for clause in parsed.clauses:
        draft.clauses.append(
            ClauseReview(clause.position, clause.kind, clause.text, clause.line, matches.get(clause.position, []))
        )

    if not parsed.signatures:
        draft.checks.append("no signature block ('On behalf of …') was found: is the text complete?")
    if parsed.date is None:
        draft.checks.append("the text has no 'Date:' line: check 'adopted' against the document")
    untagged = [c.position for c in draft.clauses if c.kind == OPERATIVE and not c.themes]
    if untagged:
        draft.checks.append(
            f"operative clause(s) {', '.join(map(str, untagged))} match no theme: add a 'themes:' entry or a "
            "label to data/themes.ttl if they commit to one"
        )
    if not any(c.kind == OPERATIVE for c in draft.clauses):
        draft.checks.append("no clause was read as operative (a commitment): check the text's paragraphs")
    draft.checks.append(
        "if the declaration was adopted at an event or in a place of the reference data, add 'event:' and 'place:'"
    )
    if "founding" not in draft.meta:
        draft.checks.append(
            "if the signatories founded the network with this declaration, add 'founding: true'; a signatory "
            "that is not yet a member needs a row in data/memberships.csv"
        )


def _closest(ref: Reference, printed: str) -> list[str]:
    """The one municipality whose names are nearest to a printed name, however far (difflib ratio)."""
    names = {
        core(name): slug
        for slug, row in ref.municipalities.items()
        for name in [slug, row["name_en"], *row["aliases"].split("|")]
        if core(name)
    }
    best = difflib.get_close_matches(core(printed), list(names), n=1, cutoff=0.0)
    return [names[best[0]]] if best else []


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


def review_text(draft: Draft) -> str:
    """The review printed by `b40graph add`."""
    out = [f"{'wrote' if draft.written else 'would write'} {draft.target}", ""]
    out.append("Front matter (guessed values are marked '# GUESSED' in the file):")
    for key, value in draft.meta.items():
        how = f"  (guessed: {draft.guessed[key]})" if key in draft.guessed else ""
        out.append(f"  {key}: {value}{how}")
    out += ["", f"Signatures found: {len(draft.signatures)}"]
    for sig in draft.signatures:
        if sig.municipality is None:
            out.append(f"  line {sig.line}: {sig.name_printed or '?'} for '{sig.party}': NOT RESOLVED")
        else:
            who = sig.person or sig.name_printed
            out.append(f"  line {sig.line}: {who}, {sig.role or '?'}, {sig.municipality_name} ({sig.municipality})")
    if draft.unresolved:
        out += ["", "Municipalities not found in data/municipalities.csv (names and aliases):"]
        for sig in draft.unresolved:
            close = ", ".join(sig.suggestions) if sig.suggestions else "none"
            out.append(f"  '{sig.party}' (line {sig.line}): closest: {close}")
    out += ["", "Themes per clause:"]
    for clause in draft.clauses:
        themes = ", ".join(f"{slug} ('{label}')" for slug, label in clause.themes) or "-"
        snippet = clause.text if len(clause.text) <= 70 else clause.text[:67] + "..."
        out.append(f"  {clause.position:>2} {clause.kind:<9} {themes}  | {snippet}")
    if draft.problems:
        out += ["", "The build will stop on these until they are fixed:"]
        out += ["  " + str(p).replace("\n", "\n  ") for p in draft.problems]
    out += ["", "Check:"]
    out += [f"  - {check}" for check in draft.checks]
    out += [f"  - {key}: {how}" for key, how in draft.guessed.items()]
    return "\n".join(out) + "\n"


__all__ = ["Draft", "draft_declaration", "extract_text", "guess_language", "review_text", "write"]
