"""What the public endpoint refuses before a query reaches a store: updates, federation, remote FROM.

A small lexer reads the query the way a SPARQL parser does (codepoint escapes decoded first, then
comments, strings and IRIs skipped), so keywords hidden in strings or comments don't count and
keywords hidden behind escapes do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .results import QueryError

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n\r]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                   |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<pname>(?:[A-Za-z][\w.-]*)?:[\w.:%-]*)
      | (?P<var>[?$]\w+)
      | (?P<word>[A-Za-z_]\w*)
      | (?P<other>\S)""",
    re.VERBOSE,
)
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


@dataclass
class QueryShape:
    form: str
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)


def _unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"invalid codepoint escape {m.group(0)}")
        return chr(code)

    return _ESCAPE.sub(repl, text)


def inspect(query: str, max_bytes: int) -> QueryShape:
    """Classify a query and list its FROM graphs; raise QueryError for what the endpoint refuses."""
    if len(query.encode("utf-8", "surrogatepass")) > max_bytes:
        raise QueryError(f"the query is longer than {max_bytes} bytes, the limit of this endpoint", 413, "too-long")
    if "\x00" in query:
        raise QueryError("the query contains a NUL character")
    text = _unescape(query)
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text) if m.lastgroup not in ("comment",)]
    prefixes: dict[str, str] = {}
    base = ""
    form = ""
    shape = QueryShape("")
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        upper = value.upper() if kind == "word" else ""
        if upper == "PREFIX" and i + 2 < len(tokens):
            prefixes[tokens[i + 1][1]] = tokens[i + 2][1][1:-1]
            i += 3
            continue
        if upper == "BASE" and i + 1 < len(tokens):
            base = tokens[i + 1][1][1:-1]
            i += 2
            continue
        if not form:
            if upper in UPDATES:
                raise QueryError(
                    f"this endpoint is read-only: {upper} and every other SPARQL Update operation is refused",
                    403,
                    "read-only",
                )
            if upper in FORMS:
                form = upper
        if upper == "SERVICE":
            raise QueryError(
                "federated queries (SERVICE) are disabled on this endpoint: it never fetches remote data",
                400,
                "federation",
            )
        if upper == "FROM" and i + 1 < len(tokens):
            named = tokens[i + 1][1].upper() == "NAMED"
            kind2, target = tokens[i + 2] if named and i + 2 < len(tokens) else tokens[i + 1]
            iri = _resolve(kind2, target, prefixes, base)
            (shape.from_named if named else shape.from_graphs).append(iri)
        i += 1
    if not form:
        raise QueryError("the query has no SELECT, ASK, CONSTRUCT or DESCRIBE")
    shape.form = form
    return shape


def _resolve(kind: str | None, token: str, prefixes: dict[str, str], base: str) -> str:
    if kind == "iri":
        iri = token[1:-1]
        return iri if re.match(r"^[A-Za-z][\w+.-]*:", iri) else base + iri
    if kind == "pname":
        prefix, _, local = token.partition(":")
        return prefixes.get(prefix + ":", "") + local
    return token
