"""Search terms: each word of a text as whole-word terms and as compound-part terms.

A Finnish word is indexed by its base form(s) ("kaivostoiminnan" → "kaivostoiminta") and, when it is a
compound, by the base forms of its parts ("kaivos", "toiminta") and of adjacent parts joined. A query word is
normalised to its base forms only; it matches a project as a *whole word* when a base form is among the
project's whole-word terms, and as a *compound part* when it is only among the part terms ("kaivosten" →
"kaivos" finds "kaivostoiminnan" as a part). English words are Snowball stems (no compounds).

Three normalisers, measured in bench/search_normalisers.py (figures in docs/notes/NOTES-search.md):

* ``voikko``: Voikko's morphological analysis (Debian libvoikko1 + voikko-fi), used when installed.
* ``simplemma``: simplemma's Finnish dictionary (PyPI, pure Python) for lemmas, and compounds split into
  dictionary forms (fewest parts, longest first). The fallback where Voikko is missing.
* ``snowball``: Snowball stems, no compound parts; the baseline.

Words Voikko or simplemma do not know (names, acronyms, English words in Finnish titles) fall back to their
Snowball stem, on both the index and the query side, so they still match each other's inflections.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import Stemmer

from smartspec.classify.normalise import STOPWORDS, content_words, split_structure

# Compound parts shorter than this are suffix noise ("-maa" is a word, "-ja" is not); see the bench.
MIN_PART = 3
CACHE_LIMIT = 500_000  # analysed words kept per normaliser (a full index has about 100 000 distinct words)


class SearchNormaliser(Protocol):
    """Turns one word into (whole-word terms, compound-part terms)."""

    name: str  # stored with the index: a different name means the index must be rebuilt

    def word(self, word: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]: ...


@dataclass(frozen=True)
class Terms:
    """A text's search terms, each list without repeats, in text order."""

    words: tuple[str, ...]
    parts: tuple[str, ...]


@dataclass(frozen=True)
class QueryWord:
    """One word of a query and the terms any of which it matches."""

    word: str
    forms: tuple[str, ...]


class _Snowball:
    def __init__(self) -> None:
        self._stemmers = {"fi": Stemmer.Stemmer("finnish"), "en": Stemmer.Stemmer("english")}

    def stem(self, word: str, lang: str) -> str:
        return str(self._stemmers["en" if lang == "en" else "fi"].stemWord(word))


class SnowballSearchNormaliser:
    """Snowball stems in both languages; no compound parts (the baseline)."""

    name = "snowball-1"

    def __init__(self) -> None:
        self._snowball = _Snowball()

    def word(self, word: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (self._snowball.stem(word, lang),), ()


class VoikkoSearchNormaliser:
    """Voikko base forms and compound parts for Finnish; Snowball stems for English and unknown words."""

    name = "voikko-1"

    def __init__(self) -> None:
        import libvoikko  # Debian: libvoikko1 + voikko-fi; PyPI: libvoikko (the ctypes binding)

        self._voikko = libvoikko.Voikko("fi")
        self._lock = threading.Lock()
        self._snowball = _Snowball()
        self._cache: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def word(self, word: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        key = (word, lang)
        found = self._cache.get(key)  # words repeat a lot across titles; analysis is the slow part
        if found is None:
            # One Voikko handle per process (make_search_normaliser caches it) and libvoikko's handles are not
            # thread-safe, while the web app searches from a thread pool: one analysis at a time.
            with self._lock:
                found = self._cache.get(key) or self._analyse(word, lang)
                if len(self._cache) >= CACHE_LIMIT:  # queries bring any words: keep the memory bounded
                    self._cache.clear()
                self._cache[key] = found
        return found

    def _analyse(self, word: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if lang == "en":
            return (self._snowball.stem(word, "en"),), ()
        analyses: list[dict[str, Any]] = self._voikko.analyze(word)
        if not analyses:
            return (self._snowball.stem(word, "fi"),), ()
        whole: list[str] = []
        parts: list[str] = []
        for analysis in analyses:  # every reading: "Lapin" is Lappi's and lapi's genitive
            whole.append(str(analysis.get("BASEFORM", word)).casefold())
            pieces = split_structure(word, str(analysis.get("STRUCTURE", "")))
            if len(pieces) > 1:
                parts.extend(lemma for lemma in map(self._lemma, runs(pieces)) if len(lemma) >= MIN_PART)
        whole = list(dict.fromkeys(whole))
        return tuple(whole), tuple(p for p in dict.fromkeys(parts) if p not in whole)

    def _lemma(self, piece: str) -> str:
        analyses = self._voikko.analyze(piece)
        return str(analyses[0].get("BASEFORM", piece)).casefold() if analyses else piece.casefold()


class SimplemmaSearchNormaliser:
    """simplemma lemmas; a compound is split into forms its Finnish dictionary knows (fewest parts)."""

    name = "simplemma-1"

    def __init__(self) -> None:
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory

        # The dictionary maps 3.5 million Finnish word forms to their lemmas (simplemma 2.0, data from Wiktionary).
        self._forms = DefaultDictionaryFactory().get_dictionary("fi")
        self._snowball = _Snowball()
        self._cache: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def word(self, word: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        key = (word, lang)
        if key not in self._cache:
            self._cache[key] = self._analyse(word, lang)
        return self._cache[key]

    def _lookup(self, form: str) -> str | None:
        lemma = self._forms.get(form)
        return None if lemma is None else str(lemma)

    def _analyse(self, word: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if lang == "en":
            return (self._snowball.stem(word, "en"),), ()
        lemma = self._lookup(word)
        base = lemma if lemma is not None else self._snowball.stem(word, "fi")
        pieces = self._split(word)
        if len(pieces) < 2 and lemma is not None and lemma != word:
            pieces = self._split(lemma)
        parts = [self._lookup(run) or run for run in runs(pieces)] if len(pieces) > 1 else []
        return (base,), tuple(p for p in dict.fromkeys(parts) if p != base)

    def _split(self, word: str) -> list[str]:
        """The fewest dictionary forms, two or more and each at least MIN_PART long, that spell ``word``;
        [] when none do."""
        n = len(word)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(MIN_PART, n + 1):
            for start in range(0, end - MIN_PART + 1):
                before, known = best[start], best[end]
                if before is None or (known is not None and len(known) <= len(before) + 1) or end - start == n:
                    continue  # no better, or the whole word: a compound has two parts at least
                if word[start:end] in self._forms:
                    best[end] = [*before, word[start:end]]
        return best[n] or []


def runs(pieces: list[str]) -> list[str]:
    """Each part of a compound and each shorter run of adjacent parts, as written: "litium", "ioni", "akku",
    "kemikaalit", "litiumioni", "ioniakku", "akkukemikaalit", "litiumioniakku", "ioniakkukemikaalit".

    A run is lemmatised as written ("elin"+"tarvike" → "elintarvike"), not by joining the parts' own lemmas,
    which goes wrong where a part alone reads as another word ("elin" alone → the verb "elää")."""
    n = len(pieces)
    return ["".join(pieces[i:j]) for size in range(1, n) for i in range(n - size + 1) for j in (i + size,)]


def _pieces(text: str, lang: str) -> Iterable[str]:
    """Content words, hyphenated ones in pieces ("vety-" and "talous" of "vety- ja talousalan")."""
    for word in content_words(text, lang):
        yield from (piece for piece in word.split("-") if len(piece) >= 2)


def text_terms(normaliser: SearchNormaliser, text: str, lang: str) -> Terms:
    """Whole-word and compound-part terms of ``text`` (a part that is also a whole word stays a whole word)."""
    words: dict[str, None] = {}
    parts: dict[str, None] = {}
    for piece in _pieces(text, lang):
        whole, compound = normaliser.word(piece, lang)
        words.update(dict.fromkeys(whole))
        parts.update(dict.fromkeys(compound))
    return Terms(tuple(words), tuple(p for p in parts if p not in words))


def query_words(normaliser: SearchNormaliser, query: str) -> tuple[list[QueryWord], list[str]]:
    """The query's words with their terms in Finnish and in English (the language of a query is unknown),
    and the words left out as stop words."""
    out: list[QueryWord] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for piece in _pieces(query, "xx"):
        if piece in seen:
            continue
        seen.add(piece)
        if any(piece in stop for stop in STOPWORDS.values()):
            ignored.append(piece)
            continue
        forms = dict.fromkeys([*normaliser.word(piece, "fi")[0], *normaliser.word(piece, "en")[0]])
        out.append(QueryWord(piece, tuple(forms)))
    return out, ignored


def voikko_available() -> bool:
    try:
        VoikkoSearchNormaliser()
    except Exception:  # ImportError, OSError, or libvoikko's own error when the dictionary is missing
        return False
    return True


def simplemma_available() -> bool:
    try:
        import simplemma  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=4)
def make_search_normaliser(name: str = "auto") -> SearchNormaliser:
    """``voikko``, ``simplemma``, ``snowball`` or ``auto`` (Voikko, else simplemma, else Snowball).

    Cached: building one loads a dictionary (simplemma's takes about a second)."""
    if name == "voikko" or (name == "auto" and voikko_available()):
        return VoikkoSearchNormaliser()
    if name == "simplemma" or (name == "auto" and simplemma_available()):
        return SimplemmaSearchNormaliser()
    return SnowballSearchNormaliser()
