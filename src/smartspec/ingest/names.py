"""Organisation name keys: one key for "Itä-Suomen yliopisto", "ITA-SUOMEN YLIOPISTO" and "Itä-Suomen Yliopisto Oy".

Hand-written because no maintained library knows Finnish legal-form suffixes; the rules are few and tested.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Legal forms that do not change which organisation is meant (Finnish, Swedish, common international).
_LEGAL_FORMS = {
    "oy", "oyj", "ab", "abp", "ky", "ay", "tmi", "ry", "rf", "sr", "osk", "osuuskunta", "osakeyhtio",
    "kommandiittiyhtio", "avoin yhtio", "rekisteroity yhdistys", "ltd", "limited", "gmbh", "ag", "sa", "sas",
    "srl", "spa", "bv", "nv", "as", "aps", "asa", "inc", "llc", "plc", "co", "kg", "ek", "ekonomisk forening",
}  # fmt: skip
_MULTI_WORD = re.compile(
    r"(^| )(" + "|".join(sorted((f for f in _LEGAL_FORMS if " " in f), key=len, reverse=True)) + r")(?= |$)"
)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


NAME_KEY_MAX = 300


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """A matching key: no diacritics, case, punctuation, parenthetical notes or legal-form words."""
    if name.isascii():
        text = name.casefold()
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _PARENS.sub(" ", text).replace("&", " and ")
    text = " ".join(_NON_ALNUM.sub(" ", text).split())
    text = _MULTI_WORD.sub(" ", text).strip()
    words = [word for word in text.split() if word not in _LEGAL_FORMS]
    key = " ".join(words)
    # The key's column holds NAME_KEY_MAX characters (store.models.Organisation.name_key): a longer name (a 20 kB
    # one in a hostile file) is matched by its beginning instead of failing the import on PostgreSQL.
    return (key or text)[:NAME_KEY_MAX].rstrip()
