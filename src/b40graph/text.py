"""Text helpers: ASCII folding, slugs, whitespace, and proper-casing printed names."""

from __future__ import annotations

import re
import unicodedata

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
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


def fold(text: str) -> str:
    """ASCII-fold: 'Çanakkale' -> 'Canakkale', 'Laktaši' -> 'Laktasi'. Non-Latin letters are dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def slugify(text: str) -> str:
    """A stable, readable, ASCII IRI segment."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")


def squash(text: str) -> str:
    """Collapse every run of white space (including no-break spaces) to one space, and trim."""
    return _SPACES.sub(" ", text).strip()


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


def is_capitalised_surname(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)
