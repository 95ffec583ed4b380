"""Text helpers: the accent- and case-insensitive fold and sort key (sorting and search everywhere), ASCII
folding for slugs, whitespace, Markdown to plain text, and printed names."""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

# Letters that Unicode decomposition does not fold to ASCII.
_EXTRA_FOLDS = str.maketrans(
    {
        "ı": "i",
        "İ": "I",
        "ð": "d",
        "Ð": "D",
        "đ": "d",
        "Đ": "D",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
    }
)
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Characters that print as nothing: soft hyphen, zero-width space, word joiner, byte-order mark.
_INVISIBLE = re.compile(r"[\u00ad\u200b\u2060\ufeff]")


def ascii_fold(text: str) -> str:
    """For slugs and ASCII keys only: 'Çanakkale' -> 'Canakkale', 'Laktaši' -> 'Laktasi'; non-Latin letters
    are dropped (Αθήνα -> ''). To compare or sort names, use `fold` or `sort_key`."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def slugify(text: str) -> str:
    """A stable, readable, ASCII IRI segment."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")


# -- folding for sorting and search ---------------------------------------------------------------

# Letters with no decomposition to a base letter, taken to it (the fold is case-insensitive, so lower case).
_BASE_LETTERS = str.maketrans(
    {"İ": "i", "ı": "i", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"}
    | {"ħ": "h", "Ħ": "h", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "þ": "th", "Þ": "th"}
)
# For sorting only: the Serbian and Macedonian Cyrillic letters that Unicode puts after я, each filed right
# after the letter it follows in those alphabets (Ђ after Д, Ј after И, Љ after Л, Њ after Н, Ћ after Т, Џ
# after Ч, Ѕ after З): the letter, then a character above every letter.
_AFTER = "\U0010ffff"
_CYRILLIC_ORDER = str.maketrans(
    {"ђ": "д" + _AFTER, "ј": "и" + _AFTER, "љ": "л" + _AFTER, "њ": "н" + _AFTER}
    | {"ћ": "т" + _AFTER, "џ": "ч" + _AFTER, "ѕ": "з" + _AFTER}
)


@lru_cache(maxsize=8192)
def fold_char(char: str) -> str:
    """One character (or one with its combining marks) folded as `fold` does, without touching white space:
    for a caller that keeps offsets into the text (model.themes)."""
    decomposed = unicodedata.normalize("NFKD", char.translate(_BASE_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Accent- and case-insensitive form of `text`, in any script: `Çanakkale` and `canakkale`, `İmamoğlu`,
    `IMAMOGLU` and `imamoglu` (Turkish dotted and dotless i are i), `Αθήνα` and `ΑΘΗΝΑ`, `Đurđevac` and
    `Durdevac` fold alike; non-Latin letters are kept. Runs of white space become one space. What search
    matches on and what lists sort by (`sort_key`)."""
    return " ".join("".join(map(fold_char, text)).split())


def sort_key(text: str) -> tuple[str, str]:
    """The key names are sorted by everywhere (overviews, resource pages, search results): the folded text,
    Serbian and Macedonian Cyrillic letters in their alphabet's order, then the text itself (a stable order
    among folded equals). Çanakkale files with the C's, İstanbul and Istanbul together, Ά with Α, Ђ after Д."""
    return fold(text).translate(_CYRILLIC_ORDER), text


def squash(text: str) -> str:
    """Drop invisible characters (soft hyphen, zero-width space), collapse every run of white space
    (including no-break spaces) to one space, and trim."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def is_blank(line: str) -> bool:
    return not squash(line)


def _lower(word: str, turkic: bool) -> str:
    if turkic:
        word = word.replace("I", "ı").replace("İ", "i")
    return word.replace("İ", "i").lower()


def proper_case(word: str, turkic: bool = False) -> str:
    """'İMAMOĞLU' -> 'İmamoğlu', 'ZORIČIĆ' -> 'Zoričić'; hyphenated parts are each capitalised.

    With turkic=True the dotless/dotted i pairs follow Turkish rules (I -> ı, İ -> i).
    """
    parts: list[str] = []
    for part in word.split("-"):
        if not part:
            parts.append(part)
            continue
        head, tail = part[0], part[1:]
        parts.append(head + _lower(tail, turkic))
    return "-".join(parts)


# A particle elided onto the family name, in lower case: "d'ALEMA", "GISCARD d'ESTAING", "dell'ORTO".
_ELIDED = re.compile(r"^(?:d|l|dall|dell|degl|nell|sull)['\u2019]")


def is_capitalised_surname(token: str) -> bool:
    letters = [c for c in _ELIDED.sub("", token) if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


# -- printed names -------------------------------------------------------------------------------

# Apostrophes and hyphens that are printed differently but mean the same in a name.
_NAME_CHARS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'", "\u2032": "'"})
_NAME_CHARS.update(str.maketrans({"\u2010": "-", "\u2011": "-"}))
_NAME_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
# Lower-case words that belong to the family name that follows them ('Ursula von der LEYEN').
PARTICLES = frozenset(
    {"al", "bin", "da", "dal", "das", "de", "degli", "dei", "del", "della", "der", "di", "do", "dos", "du", "el"}
    | {"la", "le", "lo", "ten", "ter", "van", "vander", "von", "zu"}
)


def clean_name(text: str) -> str:
    """A printed name in one canonical spelling: Unicode NFC, no invisible characters (soft hyphen,
    zero-width space/joiners), ASCII apostrophe and hyphen, single spaces."""
    text = _NAME_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).translate(_NAME_CHARS)
    return squash(text)


def split_name(name: str) -> tuple[str, str] | None:
    """'Ekrem İMAMOĞLU' -> ('Ekrem', 'İMAMOĞLU'); 'Ursula von der LEYEN' -> ('Ursula', 'von der LEYEN').

    The family name is the run of words in capitals at the end, with the lower-case particles just
    before it; None when the name prints no family name in capitals after a given name.
    """
    tokens = clean_name(name).split(" ")
    start = len(tokens)
    while start > 0 and is_capitalised_surname(tokens[start - 1]):
        start -= 1
    if start == len(tokens) or start == 0:
        return None
    while start > 1 and tokens[start - 1].lower() in PARTICLES:
        start -= 1
    return " ".join(tokens[:start]), " ".join(tokens[start:])


def proper_family_name(printed: str, turkic: bool = False) -> str:
    """'İMAMOĞLU' -> 'İmamoğlu', 'VON DER LEYEN' and 'von der LEYEN' -> 'von der Leyen', "O'BRIEN" -> "O'Brien".

    Particles (von, van, de, ...) before the last word are written in lower case.
    """
    words = clean_name(printed).split(" ")
    out = []
    for i, word in enumerate(words):
        if i < len(words) - 1 and _lower(word, turkic) in PARTICLES:
            out.append(_lower(word, turkic))
            continue
        parts = word.split("'")
        cased = [proper_case(parts[0], turkic)]
        for before, part in itertools.pairwise(parts):
            # after a one-letter prefix (O'BRIEN, D'ANGELO) a new capital; otherwise a suffix, in lower case
            cased.append(proper_case(part, turkic) if len(before) == 1 else _lower(part, turkic))
        out.append("'".join(cased))
    return " ".join(out)


# -- Markdown to plain text ------------------------------------------------------------------------

_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!~>|])")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_CODE = re.compile(r"`+([^`]+?)`+")
_STRONG = re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_STRAY = re.compile(r"\*\*+|__+|~~")
_LINE_MARK = re.compile(r"^\s{0,3}(?:#{1,6}(?=\s|$)|>\s?|[-*+\u2022](?=\s)|\d{1,3}[.)](?=\s))\s*")
_CLOSING_HASHES = re.compile(r"\s+#+\s*$")


def plain_line(line: str) -> str:
    """One line of Markdown without its block marker (heading '#', list bullet, quote '>')."""
    heading = line.lstrip().startswith("#")
    previous = None
    while previous != line:  # '> - item' and '## **Title**' carry more than one marker
        previous = line
        line = _LINE_MARK.sub("", line)
    return _CLOSING_HASHES.sub("", line) if heading else line


def plain(text: str) -> str:
    """Markdown inline markup -> the words it prints: emphasis, strong, code, strike-through, links and
    images (their text), autolinks and backslash escapes; white space squashed. HTML is left as it is
    (a '<' in a declaration is text)."""
    escaped: list[str] = []

    def hold(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return f"\ue000{len(escaped) - 1}\ue001"

    text = _ESCAPED.sub(hold, text)
    text = _CODE.sub(lambda m: m.group(1).strip(), text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    for pattern in (_STRONG, _EMPHASIS, _STRONG):  # '***both***' is strong around emphasis
        text = pattern.sub(lambda m: m.group(2), text)
    text = _STRIKE.sub(r"\1", text)
    text = _STRAY.sub("", text)
    text = re.sub("\ue000(\\d+)\ue001", lambda m: escaped[int(m.group(1))], text)
    return squash(text)
