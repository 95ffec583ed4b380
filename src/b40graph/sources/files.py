"""Reading a declaration file: bytes -> checked UTF-8 text -> curated front matter + verbatim body."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from b40graph.core.errors import DataError, Problem

REQUIRED = ("id", "title", "adopted", "language", "source")
TRANSLATION_OF = "translationOf"  # a translation names its original's id (see model/translations.py)
OPTIONAL = ("event", "place", "publisher", "founding", "themes", "url", TRANSLATION_OF)
_LANG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class SourceFile:
    path: Path
    meta: dict[str, Any]
    meta_lines: dict[str, int]
    body: str
    body_first_line: int  # the file's line number of the body's first line
    sha256: str
    size: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def adopted(self) -> dt.date:
        value = self.meta["adopted"]
        assert isinstance(value, dt.date)
        return value


def decode(path: Path, raw: bytes, max_bytes: int) -> str:
    """Check size, binary content and encoding; return the text (a UTF-8 BOM is allowed and dropped)."""
    if len(raw) > max_bytes:
        raise DataError(
            Problem(
                f"the file is {len(raw):,} bytes, over the limit of {max_bytes:,}",
                path,
                fix="a declaration is a short text; check that the right file was saved here",
            )
        )
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataError(
            Problem(
                "the file contains NUL bytes: it is binary, not text",
                path,
                line,
                "save the declaration as plain UTF-8 text (Markdown)",
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(
            Problem(
                f"the file is not valid UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})",
                path,
                line,
                "re-save the file with UTF-8 encoding (e.g. `iconv -f WINDOWS-1252 -t UTF-8`)",
            )
        ) from None


def _split(path: Path, text: str) -> tuple[str, str, int]:
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r") != "---":
        raise DataError(
            Problem(
                "the file does not start with a '---' front-matter line",
                path,
                1,
                "begin the file with '---', the metadata (id, title, adopted, language, "
                "source), and a closing '---' line before the verbatim text",
            )
        )
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r") == "---":
            header = "\n".join(lines[1:i])
            body = "\n".join(lines[i + 1 :])
            return header, body, i + 2
    raise DataError(
        Problem(
            "the front matter is never closed", path, 1, "add a line with just '---' between the metadata and the text"
        )
    )


def _parse_header(path: Path, header: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        loader = yaml.SafeLoader(header)  # reads the whole text at once: rejects control characters here
    except yaml.reader.ReaderError as err:
        line = header[: err.position].count("\n") + 2
        raise DataError(
            Problem(
                f"the front matter contains the control character U+{err.character:04X}, which YAML does not allow",
                path,
                line,
                "delete the character (it is invisible in most editors; `cat -A` shows it)",
            )
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise DataError(Problem("the front matter is empty", path, 2, f"write the keys {', '.join(REQUIRED)}"))
        if not isinstance(node, yaml.MappingNode):
            raise DataError(
                Problem(
                    "the front matter is not a list of 'key: value' lines", path, 2, "write one 'key: value' per line"
                )
            )
        lines = _key_lines(path, node)
        meta = _construct(path, loader, node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        raise DataError(
            Problem(
                f"the front matter is not valid YAML: {getattr(err, 'problem', err)}",
                path,
                line,
                "write one 'key: value' per line; quote values that contain ': '",
            )
        ) from None
    finally:
        loader.dispose()
    return meta, lines


def _key_lines(path: Path, node: yaml.MappingNode) -> dict[str, int]:
    """The line of each front-matter key; a key given twice is refused."""
    lines: dict[str, int] = {}
    for key, _ in node.value:
        if str(key.value) in lines:
            raise DataError(
                Problem(
                    f"the front-matter key '{key.value}' is given twice (first on line {lines[str(key.value)]})",
                    path,
                    key.start_mark.line + 2,
                    "give each key once: delete or merge one of the two lines",
                )
            )
        lines[str(key.value)] = key.start_mark.line + 2
    return lines


def _construct(path: Path, loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    try:
        return loader.construct_document(node)  # type: ignore[no-any-return]
    except ValueError as err:  # e.g. a timestamp that is not a real date
        bad = next((k for k, v in node.value if _is_broken_date(v)), None)
        line = bad.start_mark.line + 2 if bad is not None else 2
        raise DataError(
            Problem(
                f"a value in the front matter is not valid: {err}",
                path,
                line,
                "write dates as YYYY-MM-DD, e.g. 2021-11-30",
            )
        ) from None


def _is_broken_date(node: yaml.Node) -> bool:
    try:
        yaml.safe_load(node.value) if isinstance(node, yaml.ScalarNode) else None
    except ValueError:
        return True
    return False


def _check(path: Path, meta: dict[str, Any], lines: dict[str, int]) -> None:
    problems = _check_keys(path, meta, lines) + _check_ids(path, meta, lines) + _check_values(path, meta, lines)
    if problems:
        raise DataError(problems)


def _check_keys(path: Path, meta: dict[str, Any], lines: dict[str, int]) -> list[Problem]:
    """Every required key given, no unknown key."""
    problems = []
    for key in REQUIRED:
        if meta.get(key) in (None, ""):
            problems.append(Problem(f"the front matter has no '{key}'", path, 2, f"add a line '{key}: …'"))
    for key in meta:
        if key not in REQUIRED and key not in OPTIONAL:
            problems.append(
                Problem(
                    f"unknown front-matter key '{key}'",
                    path,
                    lines.get(key),
                    f"use only: {', '.join(REQUIRED + OPTIONAL)}",
                )
            )
    return problems


def _check_ids(path: Path, meta: dict[str, Any], lines: dict[str, int]) -> list[Problem]:
    """The id, and the id of the original a translation names, are slugs."""
    problems = []
    ident = meta.get("id")
    if ident is not None and not _ID.match(str(ident)):
        problems.append(
            Problem(
                f"id '{ident}' is not a slug",
                path,
                lines.get("id"),
                "use lower-case letters, digits and single hyphens, e.g. 2024-river-cities-declaration",
            )
        )
    original = meta.get(TRANSLATION_OF)
    if original is not None and not _ID.match(str(original)):
        problems.append(
            Problem(
                f"{TRANSLATION_OF} '{original}' is not the id of a declaration",
                path,
                lines.get(TRANSLATION_OF),
                "give the 'id' of the declaration this text translates, e.g. 2021-b40-founding-declaration",
            )
        )
    return problems


def _check_values(path: Path, meta: dict[str, Any], lines: dict[str, int]) -> list[Problem]:
    """The adoption date, the language tag, `founding` and `themes` have the form they need."""
    problems = []
    adopted = meta.get("adopted")
    if adopted is not None and not (isinstance(adopted, dt.date) and not isinstance(adopted, dt.datetime)):
        problems.append(
            Problem(
                f"adopted '{adopted}' is not a date",
                path,
                lines.get("adopted"),
                "write the date of adoption as YYYY-MM-DD, e.g. adopted: 2021-11-30",
            )
        )
    lang = meta.get("language")
    if lang is not None and not _LANG.match(str(lang)):
        problems.append(
            Problem(
                f"language '{lang}' is not a BCP 47 language tag",
                path,
                lines.get("language"),
                "write e.g. 'language: en'",
            )
        )
    if "founding" in meta and not isinstance(meta["founding"], bool):
        problems.append(
            Problem("founding must be true or false", path, lines.get("founding"), "write 'founding: true'")
        )
    themes = meta.get("themes")
    if themes is not None and not (isinstance(themes, dict) and all(isinstance(v, int) for v in themes.values())):
        problems.append(
            Problem(
                "themes must map a theme label to a clause number",
                path,
                lines.get("themes"),
                "write e.g.\nthemes:\n  climate action: 12",
            )
        )
    return problems


def read_source(path: Path, max_bytes: int = 5 * 1024 * 1024) -> SourceFile:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError(Problem(f"cannot read the file: {err.strerror}", path)) from None
    text = decode(path, raw, max_bytes)
    header, body, first = _split(path, text)
    meta, lines = _parse_header(path, header)
    _check(path, meta, lines)
    return SourceFile(path, meta, lines, body, first, hashlib.sha256(raw).hexdigest(), len(raw))


DECLARATION_SUFFIXES = (".md", ".txt")
_CONVERTIBLE = (".pdf", ".docx")  # b40graph add reads these
_OFFICE = (".doc", ".odt", ".rtf", ".pages")


def declaration_paths(folder: Path) -> list[Path]:
    """The declaration files of `folder` (*.md, then *.txt, each sorted). Anything else in it (a .MD,
    .markdown, .docx or .pdf file, a folder) is an error naming it, never skipped in silence; hidden files
    (.gitkeep, .DS_Store) are the only ones passed over."""
    found: dict[str, list[Path]] = {suffix: [] for suffix in DECLARATION_SUFFIXES}
    problems = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        suffix = path.suffix.lower()
        if path.is_file() and path.suffix in found:
            found[path.suffix].append(path)
        elif path.is_dir():
            problems.append(
                Problem(
                    "a folder inside the declarations folder is not read",
                    path,
                    fix="move it out of data/declarations/ (keep original documents elsewhere)",
                )
            )
        elif suffix in (".md", ".markdown", ".txt", ".text"):
            problems.append(
                Problem(
                    f"the file is not read: declarations are named *.md or *.txt (lower case), not *{path.suffix}",
                    path,
                    fix=f"rename it to {path.stem}{'.txt' if suffix in ('.txt', '.text') else '.md'}",
                )
            )
        elif suffix in _CONVERTIBLE:
            problems.append(
                Problem(
                    f"the file is not a declaration text: a {suffix[1:].upper()} file is not read here",
                    path,
                    fix=f"run `b40graph add {path.name}` from a folder outside data/declarations/ to draft a "
                    "declaration from it (PDF, .docx, Markdown or text), then move the original out of "
                    "data/declarations/",
                )
            )
        elif suffix in _OFFICE:
            problems.append(
                Problem(
                    f"the file is not a declaration text: a {suffix[1:].upper()} file is not read here",
                    path,
                    fix="save it as .docx or PDF outside data/declarations/ and run `b40graph add` on that file",
                )
            )
        else:
            problems.append(
                Problem(
                    "the file is not a declaration: only *.md and *.txt files are read here",
                    path,
                    fix="move it out of data/declarations/, or rename it to .md if it is a declaration text",
                )
            )
    if problems:
        raise DataError(problems)
    return [path for suffix in DECLARATION_SUFFIXES for path in found[suffix]]
