"""Every string a user reads on the pages comes from gettext catalogues managed with Babel (locale/*/messages.po).

The catalogues are read with Babel at start-up (no compiled .mo files to keep in step): ``make messages`` extracts the
strings from the templates and Python code and updates the catalogues; a test fails when a language lacks a string
another has. Finnish and English are complete; Swedish where translated (else English).
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGS = ("fi", "en", "sv")
DEFAULT_LANG = "fi"
FALLBACK = {"sv": "en", "en": "en", "fi": "fi"}


def catalogue_text(lang: str) -> str:
    return (resources.files("smartspec.web") / "locale" / lang / "LC_MESSAGES" / "messages.po").read_text("utf-8")


@lru_cache(maxsize=len(LANGS))
def translations(lang: str) -> gettext.NullTranslations:
    """The gettext translations of a language (Swedish falls back to English for what it lacks)."""
    catalog = read_po(io.StringIO(catalogue_text(lang)), locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    found = gettext.GNUTranslations(buffer)
    if FALLBACK[lang] != lang:
        found.add_fallback(translations(FALLBACK[lang]))
    return found


def choose(requested: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ?lang=, else the cookie, else the browser's first supported language, else Finnish."""
    for candidate in (requested, cookie):
        if candidate in LANGS:
            return str(candidate)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG
