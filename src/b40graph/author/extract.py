"""Text from a document as it arrives (PDF, Word .docx, Markdown, plain text), for `b40graph add` (author/draft.py).

Extraction keeps the text: PDF lines stay as printed (no de-hyphenation; runs of spaces that only justify
or indent a line become one space), only page-number lines and headers or footers repeated on most pages
are dropped, and a page break counts as a paragraph break where a sentence ends or a new block starts.
A .docx gives one block per paragraph (one line per paragraph when the document separates its blocks with
empty paragraphs), table cells as blocks, list items as '- ' bullets and heading paragraphs as '# ' lines.
When a PDF or .docx does not mark its title, a short first block of lines is marked as the title ('# ')
and the review says so.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from b40graph.core.errors import UsageError
from b40graph.core.text import is_blank, squash
from b40graph.sources.files import decode

TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text")
SUFFIXES = (".pdf", ".docx", *TEXT_SUFFIXES)

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


def mark_title(text: str) -> tuple[str, bool]:
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
