"""Extract the web pages' and the report's strings into the gettext catalogues and keep their translations.

Strings come from the templates ({{ _("…") }}, {% trans %}) and from Python code (_("…"), pgettext("…", "…"))
under smartspec/web and smartspec/report; the one set of catalogues is smartspec/i18n/locale (`make messages`).
English is the source language: its catalogue repeats each string; Finnish must translate every string (the test
suite fails otherwise); Swedish translates what it can and falls back to English.

    .venv/bin/python scripts/messages.py          # update the catalogues
    .venv/bin/python scripts/messages.py --check  # exit 1 when a catalogue is out of date
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "smartspec"
SOURCES = ("web", "report")  # the packages whose templates and code hold strings a user reads
LOCALE = PACKAGE / "i18n" / "locale"
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
LANGS = ("fi", "en", "sv")


def extracted() -> Catalog:
    catalog = Catalog(project="smartspec", version="0.1.0")
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(str(PACKAGE / source), METHODS, OPTIONS):
            catalog.add(message, locations=[(f"{source}/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "messages.po"


def updated(lang: str, template: Catalog) -> Catalog:
    file = path(lang)
    catalog = read_po(io.StringIO(file.read_text("utf-8")), locale=lang) if file.exists() else Catalog(locale=lang)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    if lang == "en":
        for message in catalog:
            if message.id and not message.string:
                message.string = message.id
    return catalog


def render(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, omit_header=True, sort_output=True, width=120, no_location=True)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    template = extracted()
    stale = []
    for lang in LANGS:
        text = render(updated(lang, template))
        if path(lang).exists() and path(lang).read_bytes() == text:
            continue
        stale.append(lang)
        if not args.check:
            path(lang).parent.mkdir(parents=True, exist_ok=True)
            path(lang).write_bytes(text)
    if stale:
        print(("out of date: " if args.check else "updated: ") + ", ".join(stale))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
