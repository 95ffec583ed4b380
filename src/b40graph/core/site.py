"""The site configuration: what a network's pages, dataset description and downloads say about it.

Read from the project's b40graph.toml (see core/settings.py); what a project leaves out is found in its
data by the build (publish/description.py: `resolve_site`) and recorded in the release's release.json, so
a served release carries its own.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

DEFAULT_DUMP = "dataset"  # the dump file stem of a dataset whose project names none and has no one network
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DUMP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s/:]+@[^@\s/]+\.[^@\s/]+$")


@dataclass(frozen=True)
class Site:
    name: str = ""  # the network's name
    title: str = ""  # the dataset's and the home page's title
    description: str = ""  # one paragraph: the home page's introduction and dct:description
    publisher: str = ""  # an IRI, absolute or relative to the base; "": the network found in the data
    licence: str = ""  # an IRI; "": the data's own dct:license, if it states one
    languages: tuple[str, ...] = ()  # the languages of the dataset (BCP 47 tags)
    contact: str = ""  # an e-mail address or an http(s) URL
    dump: str = ""  # the stem of the dump files (STEM.nq, STEM.ttl, ...)

    @property
    def shown_title(self) -> str:
        return self.title or (f"{self.name} declarations" if self.name else "Declarations")

    @property
    def shown_name(self) -> str:
        return self.name or self.shown_title

    @property
    def shown_description(self) -> str:
        what = f"the {self.name}" if self.name else "the network"
        return self.description or (
            f"The declarations of {what} as Linked Open Data: who signed, for which municipality, in which role; "
            "which themes each declaration commits to, and the clause that shows it."
        )

    @property
    def dump_stem(self) -> str:
        return self.dump or DEFAULT_DUMP

    @property
    def contact_href(self) -> str:
        """The contact as a link: mailto: for an e-mail address."""
        return f"mailto:{self.contact}" if _EMAIL.match(self.contact) else self.contact

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["languages"] = list(self.languages)
        return data

    @classmethod
    def from_json(cls, data: object) -> Site:
        """A site recorded in a release.json (unknown or malformed entries are left out)."""
        if not isinstance(data, dict):
            return cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name)
            if f.name == "languages" and isinstance(value, list):
                values[f.name] = tuple(str(v) for v in value)
            elif f.name != "languages" and isinstance(value, str):
                values[f.name] = value
        return cls(**values)


# What each key of b40graph.toml holds: (description, example) for messages; checks in `check`.
KEYS: dict[str, tuple[str, str]] = {
    "name": ("the network's name", 'name = "Danube Cities Network"'),
    "base": ("the public base IRI", 'base = "https://example.org/danube/"'),
    "title": ("the site's and dataset's title", 'title = "Danube Cities Network declarations"'),
    "description": ("a paragraph about the dataset", 'description = "The declarations of ..."'),
    "publisher": (
        "the publisher's IRI, absolute or relative to base (leave it out for the network itself)",
        'publisher = "id/network/danube"',
    ),
    "licence": ("the licence's IRI", 'licence = "https://creativecommons.org/licenses/by/4.0/"'),
    "languages": ("a list of language tags", 'languages = ["en", "de"]'),
    "contact": ("an e-mail address or http(s) URL", 'contact = "secretariat@example.org"'),
    "dump": ("the dump file stem: letters, digits, - and _", 'dump = "danube"'),
}


def check(key: str, value: object) -> str | tuple[str, ...] | None:
    """The value of `key` as the site keeps it, or None when it is malformed."""
    if key == "languages":
        if not isinstance(value, list) or not all(isinstance(v, str) and _LANGUAGE.match(v) for v in value):
            return None
        return tuple(dict.fromkeys(value))
    if not isinstance(value, str) or not value.strip():
        return None
    text = " ".join(value.split()) if key in ("name", "title", "description") else value.strip()
    if key in ("base", "licence") and not re.match(r"^https?://\S+$", text):
        return None
    if key == "publisher" and (re.search(r"\s|[<>\"{}|\\^`]", text) or text.startswith(("/", "#"))):
        return None
    if key == "contact" and not (_EMAIL.match(text) or re.match(r"^(https?://|mailto:)\S+$", text)):
        return None
    if key == "dump" and not _DUMP.match(text):
        return None
    return text


__all__ = ["DEFAULT_DUMP", "KEYS", "Site", "check"]
