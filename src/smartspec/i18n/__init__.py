"""Every string a user reads, on the web pages and in the report, comes from one set of gettext catalogues managed
with Babel (locale/*/LC_MESSAGES/messages.po).

This package sits at the bottom of the layers so that both the report and the web pages can use it. The catalogues
are read with Babel at first use (no compiled .mo files to keep in step): ``make messages`` (scripts/messages.py)
extracts the strings from the templates and Python code of the web and the report and updates the catalogues; a test
fails when a language lacks a string another has. English is the source language; Finnish and English are complete;
Swedish where translated (else English).
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

__all__ = ["DEFAULT_LANG", "FALLBACK", "LANGS", "catalogue_text", "translations"]


def catalogue_text(lang: str) -> str:
    """The text of a language's catalogue (messages.po)."""
    return (resources.files("smartspec.i18n") / "locale" / lang / "LC_MESSAGES" / "messages.po").read_text("utf-8")


@lru_cache(maxsize=len(LANGS))
def translations(lang: str) -> gettext.NullTranslations:
    """The gettext translations of a language (Swedish falls back to English for what it lacks)."""
    if lang not in LANGS:
        raise ValueError(f"no message catalogue for language {lang!r}; the languages are {', '.join(LANGS)}")
    catalog = read_po(io.StringIO(catalogue_text(lang)), locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    found = gettext.GNUTranslations(buffer)
    if FALLBACK[lang] != lang:
        found.add_fallback(translations(FALLBACK[lang]))
    return found
