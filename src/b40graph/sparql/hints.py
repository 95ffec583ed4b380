"""Help for a query that does not parse: where the parser stopped (line and column, from its message) and,
for a prefixed name whose prefix the query never declares, the PREFIX line to add when the prefix is a
well-known one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from b40graph.core.vocab import PREFIXES

#: Prefixes people use without declaring them, beyond the dataset's own (core.vocab.PREFIXES).
WELL_KNOWN: dict[str, str] = {
    **PREFIXES,
    "dcterms": "http://purl.org/dc/terms/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "sh": "http://www.w3.org/ns/shacl#",
}

_POSITION = re.compile(r"\berror at (\d+):(\d+)")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
# what a prefixed name can hide in: IRIs, strings and comments, skipped before looking for prefixes
_OPAQUE = re.compile(
    r"<[^<>\"{}|^`\\\s]*>|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*"
)
_USED = re.compile(r"(?<![\w.:?$-])([A-Za-z][\w.-]*)?:(?=[\w%\\]|[\s,;.)\]}]|$)")


@dataclass(frozen=True)
class Hint:
    line: int | None  # 1-based, where the parser stopped
    column: int | None
    missing: dict[str, str | None]  # undeclared prefix -> its well-known namespace (None: unknown to us)

    def advice(self) -> list[str]:
        said = []
        for prefix, namespace in self.missing.items():
            if namespace:
                said.append(f"the prefix '{prefix}:' is not declared: add PREFIX {prefix}: <{namespace}>")
            else:
                said.append(
                    f"the prefix '{prefix}:' is not declared: add a line PREFIX {prefix}: <…> naming its namespace"
                )
        return said


def explain(query: str, message: str) -> Hint:
    """What to tell the author of `query`, which failed with the parser's `message`."""
    found = _POSITION.search(message)
    line, column = (int(found.group(1)), int(found.group(2))) if found else (None, None)
    missing: dict[str, str | None] = {}
    if "prefix" in message.lower() or found:
        for prefix in undeclared(query):
            missing[prefix] = WELL_KNOWN.get(prefix)
    return Hint(line, column, missing)


def undeclared(query: str) -> list[str]:
    """Prefixes the query uses in prefixed names without a PREFIX declaration, in order of first use."""
    text = _OPAQUE.sub(lambda m: " " * len(m.group(0)), query)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    used: list[str] = []
    for m in _USED.finditer(text):
        prefix = m.group(1) or ""
        if prefix.upper() == "PREFIX" or prefix.endswith("."):
            continue
        if prefix not in declared and prefix not in used and not _is_declaration(text, m.start()):
            used.append(prefix)
    return used


def _is_declaration(text: str, at: int) -> bool:
    return re.search(r"\bPREFIX\s+$", text[max(0, at - 40) : at], re.IGNORECASE) is not None
