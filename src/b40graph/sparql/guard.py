"""What the public endpoint refuses before a query reaches a store: updates, federation, remote FROM.

A small lexer reads the query the way a SPARQL parser does (codepoint escapes decoded first, then
comments, strings and IRIs skipped), so keywords hidden in strings or comments don't count and
keywords hidden behind escapes do. Three things make this harder than it looks, and each is handled:

- `<` is either the start of an IRI or the less-than operator, and which one depends on the grammar:
  `FILTER(?o<'>') SERVICE <…> {…} #'` hides SERVICE from a lexer that always reads `<'>` as an IRI.
  Inside an expression, after an operand, both readings are scanned and SERVICE found by either counts.
- A SPARQL parser needs no space between keywords (`SERVICESILENT<…>`, `trueSERVICE`, `SERVICE:x` with
  the empty prefix), so a bare word or a prefix name that merely *contains* SERVICE is refused.
- Prefixed names may hold backslash escapes (`ex:a\\'b`, `ex:a\\#b`) that are neither strings nor comments.

It also bounds the nesting of brackets and prefix operators: the query parser recurses on them, and a
few thousand levels overflow its stack (the worker dies) or take minutes to parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from b40graph.core.errors import QueryError

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: Characters a codepoint escape may not produce: they would change where tokens begin and end.
_STRUCTURAL = set("'\"#<>{}()[]\\") | {chr(c) for c in range(0x21)} | {"\x7f"}
_SPACE = re.compile(r"[\x20\t\r\n]+")
_COMMENT = re.compile(r"#[^\n\r]*")
_STRING = re.compile(
    r"""'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*\"""",
)
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_LOCAL = r"(?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?#@%])*"
_PNAME = re.compile(r"(?:[A-Za-z][\w.-]*)?:" + _LOCAL)
_BNODE = re.compile(r"_:[\w.-]*")
_VAR = re.compile(r"[?$]\w+")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z_]\w*")
_OPERATOR = re.compile(r"\^\^|&&|\|\||!=|<=|>=|\S")

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
#: How deep brackets and prefix operators may nest (the parser overflows its stack at a few thousand).
MAX_NESTING = 128
#: How many places may be read two ways (`<` as IRI or operator) before the query is refused as contrived.
MAX_FORKS = 8
_OPERANDS = ("var", "string", "number", "iri", "pname", "bnode")
_OPENERS = {"(": ")", "{": "}", "[": "]"}


@dataclass(frozen=True)
class QueryShape:
    form: str
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()


def _unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"invalid codepoint escape {m.group(0)}")
        char = chr(code)
        if char in _STRUCTURAL:
            raise QueryError(
                f"the codepoint escape {m.group(0)} stands for a quote, bracket, '#', '\\' or white space; "
                "write that character itself (or use \\\" and \\' inside strings)"
            )
        return char

    return _ESCAPE.sub(repl, text)


def _refuse_service() -> QueryError:
    return QueryError(
        "federated queries (SERVICE) are disabled on this endpoint: it never fetches remote data",
        400,
        "federation",
    )


def _tokens(text: str, pos: int, stack: list[str], prev: str, forks: list[int]) -> list[tuple[str, str]]:
    """Tokens from `pos` on; wherever `<` may be read two ways the other reading is scanned too (for SERVICE)."""
    out: list[tuple[str, str]] = []
    length = len(text)
    while pos < length:
        m = _SPACE.match(text, pos)
        if m:
            pos = m.end()
            continue
        if text[pos] == "#":
            pos = _COMMENT.match(text, pos).end()  # type: ignore[union-attr]
            continue
        kind, m = _token_at(text, pos, stack, prev, forks)
        value = m.group()
        pos = m.end()
        if (kind == "word" and "SERVICE" in value.upper()) or (
            kind == "pname" and "SERVICE" in value.partition(":")[0].upper()
        ):
            raise _refuse_service()
        if kind == "other":
            if value in _OPENERS:
                stack.append(value)
            elif value in (")", "}", "]"):
                if stack:
                    stack.pop()
                prev = "close"
                out.append((kind, value))
                continue
        out.append((kind, value))
        prev = kind
    return out


def _token_at(text: str, pos: int, stack: list[str], prev: str, forks: list[int]) -> tuple[str, re.Match[str]]:
    """The kind and match of the token at `pos` (neither space nor a comment): an IRI where `<` could also be
    the less-than operator has the other reading scanned too."""
    char = text[pos]
    kind = ""
    m: re.Match[str] | None
    if char in "'\"":
        m = _STRING.match(text, pos)
        kind = "string" if m else "other"
    elif char == "<":
        m = _IRI.match(text, pos)
        if m:
            kind = "iri"
            after_operand = bool(stack) and stack[-1] == "(" and prev in (*_OPERANDS, "close", "word")
            quoted_triple = pos > 0 and text[pos - 1] == "<"
            if (after_operand or quoted_triple) and ("'" in m.group() or "#" in m.group()):
                _scan_as_operator(text, pos, stack, forks)
    elif char in "?$":
        m = _VAR.match(text, pos)
        kind = "var" if m else "other"
    elif char.isdigit() or (char == "." and pos + 1 < len(text) and text[pos + 1].isdigit()):
        m = _NUMBER.match(text, pos)
        kind = "number"
    elif char == "_" and text.startswith("_:", pos):
        m = _BNODE.match(text, pos)
        kind = "bnode"
    else:
        m = _PNAME.match(text, pos)
        kind = "pname"
        if not m:
            m = _WORD.match(text, pos)
            kind = "word"
    if not m or kind == "other":
        m = _OPERATOR.match(text, pos)
        kind = "other"
    assert m is not None
    return kind, m


def _scan_as_operator(text: str, pos: int, stack: list[str], forks: list[int]) -> None:
    """`<` at `pos` may be the less-than operator: scan that reading as well (it raises on SERVICE)."""
    forks[0] += 1
    if forks[0] > MAX_FORKS:
        raise QueryError(
            "the query is too ambiguous to check ('<' next to quotes or '#' in many places); "
            "put spaces around the comparison operators"
        )
    _tokens(text, pos + 1, list(stack), "other", forks)


def _check_nesting(tokens: list[tuple[str, str]]) -> None:
    """Brackets plus prefix operators (`!`, unary `-`/`+`, path `^`) still open at any point."""
    depth = 0
    pending: list[int] = []  # prefix operators waiting for their operand, per open bracket
    prefix = 0
    prev_kind, prev_value = "other", "("
    for kind, value in tokens:
        if kind == "other" and value in _OPENERS:
            pending.append(prefix)
            prefix = 0
            depth += 1
        elif kind == "other" and value in (")", "}", "]"):
            depth = max(0, depth - 1)
            prefix = 0
            if pending:
                pending.pop()
        elif kind == "other" and (
            value in ("!", "^") or (value in ("-", "+") and not (prev_kind in _OPERANDS or prev_value in (")", "]")))
        ):
            prefix += 1
        elif kind != "other":
            prefix = 0
        if depth + prefix + sum(pending) > MAX_NESTING:
            raise QueryError(
                f"the query nests brackets or operators more than {MAX_NESTING} levels deep, the limit of this "
                "endpoint; flatten it",
                400,
                "too-deep",
            )
        prev_kind, prev_value = kind, value


@lru_cache(maxsize=32)
def inspect(query: str, max_bytes: int) -> QueryShape:
    """Classify a query and list its FROM graphs; raise QueryError for what the endpoint refuses.
    Every public query goes through it inside the `Backend` (store.backend); a view that looks at the form
    first (content negotiation) gets the same answer from the memo, without reading the query twice."""
    if len(query.encode("utf-8", "surrogatepass")) > max_bytes:
        raise QueryError(f"the query is longer than {max_bytes} bytes, the limit of this endpoint", 413, "too-long")
    if "\x00" in query:
        raise QueryError("the query contains a NUL character")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in query):
        raise QueryError("the query contains a lone surrogate: it is not valid Unicode text")
    text = _unescape(query)
    tokens = _tokens(text, 0, [], "other", [0])
    _check_nesting(tokens)
    prefixes: dict[str, str] = {}
    base = ""
    form = ""
    from_graphs: list[str] = []
    from_named: list[str] = []
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
        if upper == "FROM" and i + 1 < len(tokens):
            named = tokens[i + 1][1].upper() == "NAMED"
            kind2, target = tokens[i + 2] if named and i + 2 < len(tokens) else tokens[i + 1]
            iri = _resolve(kind2, target, prefixes, base)
            (from_named if named else from_graphs).append(iri)
        i += 1
    if not form:
        raise QueryError("the query has no SELECT, ASK, CONSTRUCT or DESCRIBE")
    return QueryShape(form, tuple(from_graphs), tuple(from_named))


def _resolve(kind: str | None, token: str, prefixes: dict[str, str], base: str) -> str:
    if kind == "iri":
        iri = token[1:-1]
        return iri if re.match(r"^[A-Za-z][\w+.-]*:", iri) else base + iri
    if kind == "pname":
        prefix, _, local = token.partition(":")
        return prefixes.get(prefix + ":", "") + local
    return token
