"""Finnish-aware text normalisation for lexical matching.

Three normalisers behind one interface:

* ``snowball``: Snowball stems (PyStemmer) for Finnish and English, plus a compound fallback: a long Finnish
  word also yields every vocabulary stem it contains, so "jätevedenpuhdistamo" still matches "jätevesi"
  ("jäteved…"). Always available.
* ``voikko``: Voikko's morphological analysis (Debian packages libvoikko1 and voikko-fi): the lemma of every
  word and the lemmas of its compound parts, and adjacent parts joined ("jäte"+"vesi" → "jätevesi").
  Used when the library and its Finnish dictionary are installed.
* ``simplemma``: simplemma's Finnish dictionary (PyPI, pure Python; 3.5 million word forms from Wiktionary) for
  lemmas, a compound split into the fewest forms the dictionary knows ("jätevedenpuhdistamon" → "jäte", "vesi",
  "puhdistamo", "jätevesi", "vedenpuhdistamo" → "vesi…"), and long words also yield the strategy vocabulary's lemmas
  they contain. The path without Debian's packages: ``auto`` takes Voikko, else simplemma, else Snowball, and
  ``SMARTSPEC_NORMALISER`` forces one.

Hand-written glue, because no library combines stemming, lemmatisation and compound splitting for matching.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import pairwise
from typing import Any, Protocol

import Stemmer

WORD = re.compile(r"[0-9a-zåäöéüšž]+(?:-[0-9a-zåäöéüšž]+)*", re.IGNORECASE)
# Short function words carry no topic; stems shorter than this are not used for compound matching.
MIN_PART = 4
SPLIT_PART = 3  # the shortest dictionary form a compound is split into ("maa", "työ"; not "ja")
CACHE_LIMIT = 500_000  # analysed words kept per normaliser
_FI_STOP = (
    "ja tai sekä on ovat oli olla ei se ne sen niiden joka jotka jossa kuin myös että kanssa kautta osana hanke "
    "hankkeen hankkeessa hankkeet projekti projektin kehittäminen kehittämis kehittämishanke uusi uudet uusien"
)
_EN_STOP = (
    "the a an and or of to in for on with by from at as is are be this that these those its their will we our "
    "which it project aims aim new"
)
STOPWORDS = {"fi": set(_FI_STOP.split()), "en": set(_EN_STOP.split())}


class Normaliser(Protocol):
    name: str

    def terms(self, text: str, lang: str) -> list[str]:
        """The matching terms of ``text`` written in ``lang`` ("fi" or "en")."""
        ...


def words(text: str) -> list[str]:
    return [w.casefold() for w in WORD.findall(text)]


def content_words(text: str, lang: str) -> Iterator[str]:
    """The words of ``text`` that can carry a topic: no stop words, nothing shorter than two letters."""
    stop = STOPWORDS.get(lang, set())
    for word in words(text):
        if word not in stop and len(word) >= 2:
            yield word


class SnowballNormaliser:
    """Snowball stems; long Finnish words also give the vocabulary stems they contain."""

    name = "snowball"

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self._stemmers = {"fi": Stemmer.Stemmer("finnish"), "en": Stemmer.Stemmer("english")}
        self._parts = sorted({v for v in vocabulary if len(v) >= MIN_PART}, key=len, reverse=True)

    def with_vocabulary(self, vocabulary: Iterable[str]) -> SnowballNormaliser:
        return SnowballNormaliser(vocabulary)

    def stem(self, word: str, lang: str) -> str:
        return str(self._stemmers["en" if lang == "en" else "fi"].stemWord(word))

    def terms(self, text: str, lang: str) -> list[str]:
        out: list[str] = []
        for word in content_words(text, lang):
            for piece in word.split("-"):
                if not piece:
                    continue
                stem = self.stem(piece, lang)
                out.append(stem)
                if lang == "fi" and len(piece) > 8:
                    out.extend(part for part in self._parts if part != stem and part in piece)
        return out


class SimplemmaNormaliser:
    """simplemma lemmas and dictionary compound parts for Finnish (Snowball for English and unknown words)."""

    name = "simplemma"

    def __init__(self, vocabulary: Iterable[str] = (), forms: Any = None) -> None:
        if forms is None:
            from simplemma.strategies.dictionaries import DefaultDictionaryFactory

            forms = DefaultDictionaryFactory().get_dictionary("fi")
        self._forms = forms
        self._stemmers = {"fi": Stemmer.Stemmer("finnish"), "en": Stemmer.Stemmer("english")}
        self._parts = sorted({v for v in vocabulary if len(v) >= MIN_PART}, key=len, reverse=True)
        self._cache: dict[str, tuple[str, ...]] = {}

    def with_vocabulary(self, vocabulary: Iterable[str]) -> SimplemmaNormaliser:
        """The same dictionary, with the strategy's keyword lemmas as extra compound parts."""
        return SimplemmaNormaliser(vocabulary, self._forms)

    def lemma(self, word: str) -> str | None:
        found = self._forms.get(word)
        return None if found is None else str(found)

    def _split(self, word: str, shortest: int = SPLIT_PART) -> list[str]:
        """The fewest dictionary forms (two or more, each at least ``shortest`` long) that spell ``word``, each
        split again where it is itself a compound ("jäte" + "vedenpuhdistamo" → "jäte", "veden", "puhdistamo");
        [] when none do."""
        n = len(word)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(shortest, n + 1):
            for start in range(0, end - shortest + 1):
                before, known = best[start], best[end]
                if before is None or (known is not None and len(known) <= len(before) + 1) or end - start == n:
                    continue
                if word[start:end] in self._forms:
                    best[end] = [*before, word[start:end]]
        pieces = best[n] or []
        if len(pieces) < 2:
            return []
        return [part for piece in pieces
                for part in (self._split(piece, shortest) if len(piece) > 7 else []) or [piece]]  # fmt: skip

    def _finnish(self, word: str) -> tuple[str, ...]:
        found = self._cache.get(word)
        if found is not None:
            return found
        lemma = self.lemma(word)
        # A word the dictionary knows is split only into parts of four letters or more: known words split into
        # short forms are mostly not compounds ("saneeraus" is not "sane" + "eraus").
        shortest = SPLIT_PART if lemma is None else SPLIT_PART + 1
        pieces = self._split(word, shortest) if len(word) > 6 else []
        if len(pieces) < 2 and lemma is not None and lemma != word and len(lemma) > 6:
            pieces = self._split(lemma, shortest)
        if lemma is None and len(pieces) > 1:  # an unknown compound inflects in its last part
            last = self.lemma(pieces[-1])
            lemma = "".join(pieces[:-1]) + last if last else None
        terms = [lemma if lemma is not None else str(self._stemmers["fi"].stemWord(word))]
        if len(pieces) > 1:
            parts = [self.lemma(piece) or piece for piece in pieces]
            terms.extend(parts)
            terms.extend(self.lemma(a + b) or a + c for (a, b), c in zip(pairwise(pieces), parts[1:], strict=True))
        if len(word) > 8:
            terms.extend(part for part in self._parts if part in word and part not in terms)
        found = tuple(dict.fromkeys(terms))
        if len(self._cache) < CACHE_LIMIT:
            self._cache[word] = found
        return found

    def terms(self, text: str, lang: str) -> list[str]:
        out: list[str] = []
        for word in content_words(text, lang):
            for piece in word.split("-"):
                if not piece:
                    continue
                if lang == "en":
                    out.append(str(self._stemmers["en"].stemWord(piece)))
                else:
                    out.extend(self._finnish(piece))
        return out


class VoikkoNormaliser:
    """Voikko lemmas and compound parts for Finnish; Snowball for English."""

    name = "voikko"

    def __init__(self) -> None:
        import libvoikko  # Debian: libvoikko1 + voikko-fi; PyPI: libvoikko (the ctypes binding)

        self._voikko = libvoikko.Voikko("fi")
        self._english = Stemmer.Stemmer("english")
        # A Voikko handle is not thread-safe (the web server classifies and explains from a thread pool).
        self._lock = threading.Lock()

    def with_vocabulary(self, vocabulary: Iterable[str]) -> VoikkoNormaliser:
        return self

    @lru_cache(maxsize=100_000)  # noqa: B019 - one normaliser per process; words repeat a lot
    def _finnish(self, word: str) -> tuple[str, ...]:
        with self._lock:
            analyses = self._voikko.analyze(word)
        if not analyses:
            return (word,)
        analysis = analyses[0]
        base = str(analysis.get("BASEFORM", word)).casefold()
        pieces = split_structure(word, str(analysis.get("STRUCTURE", "")))
        terms = [base]
        if len(pieces) > 1:
            # Each part of a compound by its own base form: "jäteveden" → "jätevesi", "veden" → "vesi".
            parts = [self._part(piece) for piece in pieces]
            terms.extend(parts)
            terms.extend(a + b for a, b in pairwise(parts))
        return tuple(dict.fromkeys(terms))

    def _part(self, piece: str) -> str:
        with self._lock:
            analyses = self._voikko.analyze(piece)
        return str(analyses[0].get("BASEFORM", piece)).casefold() if analyses else piece

    def terms(self, text: str, lang: str) -> list[str]:
        out: list[str] = []
        for word in content_words(text, lang):
            if lang == "en":
                out.append(str(self._english.stemWord(word)))
            else:
                for piece in word.split("-"):
                    if piece:
                        out.extend(self._finnish(piece))
        return out


def split_structure(word: str, structure: str) -> list[str]:
    """The compound parts of ``word`` by Voikko's STRUCTURE string, where '=' starts each part.

    STRUCTURE has one character per letter of the word (and '=' before each part): "=pppp=ppppp=pppppppppp"
    splits "jätevedenpuhdistamo" into "jäte", "veden", "puhdistamo".
    """
    parts: list[str] = []
    position = 0
    for mark in structure:
        if mark == "=":
            parts.append("")
            continue
        if position >= len(word):
            break
        if not parts:
            parts.append("")
        parts[-1] += word[position]
        position += 1
    return [part.strip("-") for part in parts if len(part.strip("-")) >= 2]


def voikko_available() -> bool:
    try:
        VoikkoNormaliser()
    except (ImportError, OSError, Exception):  # libvoikko raises its own error when the dictionary is missing
        return False
    return True


def simplemma_available() -> bool:
    try:
        import simplemma  # noqa: F401
    except ImportError:
        return False
    return True


NORMALISERS = ("auto", "voikko", "simplemma", "snowball")
AnyNormaliser = SnowballNormaliser | SimplemmaNormaliser | VoikkoNormaliser


def make_normaliser(name: str = "auto") -> AnyNormaliser:
    """``voikko``, ``simplemma``, ``snowball``, or ``auto``: Voikko where installed, else simplemma, else Snowball.

    A named normaliser that is not installed raises ImportError or OSError (Voikko) rather than falling back."""
    if name not in NORMALISERS:
        raise ValueError(f"unknown normaliser {name!r}; known: {', '.join(NORMALISERS)}")
    if name == "snowball":
        return SnowballNormaliser()
    if name == "voikko" or (name == "auto" and voikko_available()):
        return VoikkoNormaliser()
    if name == "simplemma" or (name == "auto" and simplemma_available()):
        return SimplemmaNormaliser()
    return SnowballNormaliser()
