"""The pages' language: chosen per request; the catalogues themselves live in smartspec.i18n (shared with the
report)."""

from __future__ import annotations

from smartspec.i18n import DEFAULT_LANG, LANGS, catalogue_text, translations

__all__ = ["DEFAULT_LANG", "LANGS", "catalogue_text", "choose", "translations"]


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
