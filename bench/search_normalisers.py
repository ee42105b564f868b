"""Which search normaliser finds Finnish inflections and compound parts: recall and precision per normaliser.

44 hand-made query/title pairs. The titles are real EURA 2014-2020 project titles
(../shared/data/eura_structural_funds_fi/eura_2014_2020_projects.csv); each query is an inflected form of a
word in its title, or a part of one of its compounds. Every query is run against all the pairs' titles (the
corpus), as the search does it: a title matches when it holds one of the query's forms as a whole word or a
compound part. A match counts as relevant when the title is the query's pair or one of the titles listed as
also relevant (judged by hand: the title is about what the query names). Also reported: of the relevant matches,
the share that came with the kind expected (whole word or compound part), which the ranking depends on.

    PYTHONPATH=src python bench/search_normalisers.py
"""

from __future__ import annotations

import time

from smartspec.search.normalise import SearchNormaliser, make_search_normaliser, query_words, text_terms

# (query, title, expected kind, other titles in the corpus that are also relevant to the query)
PAIRS: list[tuple[str, str, str, tuple[str, ...]]] = [
    (
        "matkailun",
        "Kasvua kansainvälisestä matkailusta",
        "word",
        (
            "Oulun seudun matkailun yritys- ja markkinalähtöinen tutkimus- ja kehitysohjelma",
            "Laki ja oikeus matkailuyrittäjän arjessa",
            "Kasinosaarten hyvinvointi-, terveys- ja luontomatkailupalveluiden kehittäminen",
        ),
    ),
    (
        "matkailu",
        "Oulun seudun matkailun yritys- ja markkinalähtöinen tutkimus- ja kehitysohjelma",
        "word",
        (
            "Kasvua kansainvälisestä matkailusta",
            "Laki ja oikeus matkailuyrittäjän arjessa",
            "Kasinosaarten hyvinvointi-, terveys- ja luontomatkailupalveluiden kehittäminen",
        ),
    ),
    ("matkailuyrittäjille", "Laki ja oikeus matkailuyrittäjän arjessa", "word", ()),
    ("yrittäjien", "Laki ja oikeus matkailuyrittäjän arjessa", "part", ()),
    (
        "kaivosten",
        "Potentiaalisen kaivostoiminnan aluetaloudelliset vaikutukset Kanta-Hämeessä",
        "part",
        (
            "Kaivosvesiä vastaanottavien vesistöjen hallinta ja kunnostaminen (KaiHali)",
            "Pohjois-Karjalan kaivosympäristön luonnontuotteiden ja talousvesien raskasmetallit",
        ),
    ),
    ("kaivosvesien", "Kaivosvesiä vastaanottavien vesistöjen hallinta ja kunnostaminen (KaiHali)", "word", ()),
    (
        "kaivosympäristö",
        "Pohjois-Karjalan kaivosympäristön luonnontuotteiden ja talousvesien raskasmetallit",
        "word",
        (),
    ),
    ("metsätalous", "METSÄTALOUDEN VESIENSUOJELUN TEHOSTAMINEN BIOSUOTIMILLA -VETU", "word", ()),
    (
        "pohjavesien",
        "Pohjavesien suojelun ja kiviaineshuollon yhteensovittaminen Pohjois-Pohjanmaalla 3 (POSKI 3)",
        "word",
        (),
    ),
    (
        "puurakentaminen",
        "Life City - suomalaisen puurakentamisen kansainvälinen konsepti",
        "word",
        ("BiNo - Puurakentamisen osaamisen siirto",),
    ),
    (
        "rakentamisen",
        "BiNo - Puurakentamisen osaamisen siirto",
        "part",
        ("Life City - suomalaisen puurakentamisen kansainvälinen konsepti",),
    ),
    (
        "kiertotalous",
        "METYK - Metallialan Ympäristö- ja Kiertotalous",
        "word",
        (
            "Kiertotaloudella kasvua Viljaklusterille",
            "KIERTO - Kuluttajalähtöisistä kiertotalousideoista liiketoimintaa",
        ),
    ),
    (
        "kiertotaloudesta",
        "Kiertotaloudella kasvua Viljaklusterille",
        "word",
        (
            "METYK - Metallialan Ympäristö- ja Kiertotalous",
            "KIERTO - Kuluttajalähtöisistä kiertotalousideoista liiketoimintaa",
        ),
    ),
    (
        "talouden",
        "KIERTO - Kuluttajalähtöisistä kiertotalousideoista liiketoimintaa",
        "part",
        (
            "Kiertotaloudella kasvua Viljaklusterille",
            "METYK - Metallialan Ympäristö- ja Kiertotalous",
            "Elintarviketalouden uudet prosessit",
            "METSÄTALOUDEN VESIENSUOJELUN TEHOSTAMINEN BIOSUOTIMILLA -VETU",
            "CO2-talous ja biotalouden innovaatiot - jätevesilietteen käsittelyvaihtoehtojen kasvihuonekaasut ja "
            "C1-kemian uudet tuotteet (CO2-BIO)",
        ),
    ),
    ("elintarvikkeiden", "Hyvinvointia elintarvikkeista", "word", ("Elintarviketalouden uudet prosessit",)),
    ("elintarvike", "Elintarviketalouden uudet prosessit", "part", ("Hyvinvointia elintarvikkeista",)),
    (
        "hyvinvoinnin",
        "Kestävän hyvinvoinnin strateginen kehittäminen",
        "word",
        (
            "Hyvinvointia elintarvikkeista",
            "BC Työhyvinvointi 2015 -kehittämishanke",
            "Kasinosaarten hyvinvointi-, terveys- ja luontomatkailupalveluiden kehittäminen",
        ),
    ),
    (
        "hyvinvointi",
        "BC Työhyvinvointi 2015 -kehittämishanke",
        "part",
        (
            "Kestävän hyvinvoinnin strateginen kehittäminen",
            "Hyvinvointia elintarvikkeista",
            "Kasinosaarten hyvinvointi-, terveys- ja luontomatkailupalveluiden kehittäminen",
        ),
    ),
    ("terveysteknologia", "Terveysteknologian Innovaatioekosysteemi", "word", ()),
    ("ekosysteemit", "Terveysteknologian Innovaatioekosysteemi", "part", ()),
    ("energiatehokkuus", "Energiatehokkuuden parantaminen valaistuksessa", "word", ()),
    (
        "energian",
        "EFCONE - Energiatehokkaat elementtiratkaisut arktisissa olosuhteissa",
        "part",
        (
            "Energiatehokkuuden parantaminen valaistuksessa",
            "METVI - Metsäteollisuuden jätevesien energiatehokas esikäsittely",
        ),
    ),
    ("digitaalisen", "Maaseudun yritystoiminnan digitaalinen kasvupolku", "word", ("INKA - Digitaaliset biopankit",)),
    ("biopankki", "INKA - Digitaaliset biopankit", "word", ()),
    ("robotiikkaa", "MoRo ? Modernin robotiikan koulutusyhteistyöhanke", "word", ()),
    ("koulutuksen", "MoRo ? Modernin robotiikan koulutusyhteistyöhanke", "part", ()),
    ("teollisuusrobotit", "Teollisuusrobotin hankinta", "word", ()),
    (
        "logistiikkaa",
        "Tuottavuus ja logistiikka 2015",
        "word",
        ("eCommerce sisälogistiikka -tuotteen kehitys Identoin Celesta-tuoteperheeseen",),
    ),
    (
        "logistiikan",
        "eCommerce sisälogistiikka -tuotteen kehitys Identoin Celesta-tuoteperheeseen",
        "part",
        ("Tuottavuus ja logistiikka 2015",),
    ),
    ("kyberturvallisuus", "Kyberturvallisuusosaamisen ja liiketoiminnan kehittäminen", "part", ()),
    (
        "turvallisuuden",
        "SafePro - Turvallisuusalan kehittämishanke",
        "part",
        ("Kyberturvallisuusosaamisen ja liiketoiminnan kehittäminen",),
    ),
    (
        "jätevesien",
        "METVI - Metsäteollisuuden jätevesien energiatehokas esikäsittely",
        "word",
        (
            "CO2-talous ja biotalouden innovaatiot - jätevesilietteen käsittelyvaihtoehtojen kasvihuonekaasut ja "
            "C1-kemian uudet tuotteet (CO2-BIO)",
        ),
    ),
    (
        "jätevesi",
        "CO2-talous ja biotalouden innovaatiot - jätevesilietteen käsittelyvaihtoehtojen kasvihuonekaasut "
        "ja C1-kemian uudet tuotteet (CO2-BIO)",
        "part",
        ("METVI - Metsäteollisuuden jätevesien energiatehokas esikäsittely",),
    ),
    ("biokaasun", "VuoGas Liikenne Investointi ? biokaasusta liikenteen polttoainetta", "word", ()),
    ("polttoaineet", "VuoGas Liikenne Investointi ? biokaasusta liikenteen polttoainetta", "word", ()),
    ("sähköverkot", "INKA-Uudet tekniikat sähköverkon vikatilanteiden ja hajautetun tuotannon hallinnassa", "word", ()),
    (
        "liiketoiminnan",
        "Kammi-investointi ja yrityksen sähköisen liiketoiminnan kehittäminen",
        "word",
        (
            "Kyberturvallisuusosaamisen ja liiketoiminnan kehittäminen",
            "KIERTO - Kuluttajalähtöisistä kiertotalousideoista liiketoimintaa",
        ),
    ),
    ("ruokapalvelut", "Asiakaslähtöiset kotiruokapalvelut", "part", ()),
    ("ruoka", "Terveyttä edistävä moniaistinen ruokaympäristö", "part", ("Asiakaslähtöiset kotiruokapalvelut",)),
    (
        "mineraalien",
        "Indikaattorimineraalien automatisoitu tunnistaminen kriittisten mineraalien etsinnässä "
        "(Indika) - Investointihanke",
        "word",
        (),
    ),
    ("luontomatkailu", "Kasinosaarten hyvinvointi-, terveys- ja luontomatkailupalveluiden kehittäminen", "part", ()),
    ("tapahtumien", "Tapahtumatekniikan palvelun kehittäminen", "part", ()),
    (
        "akkukemikaalit",
        "LIAK - Uudet litiumioniakkukemikaalit ja valmistusprosessit osana litiumarvoketjua",
        "part",
        (),
    ),
    ("arvoketjut", "LIAK - Uudet litiumioniakkukemikaalit ja valmistusprosessit osana litiumarvoketjua", "part", ()),
]


def measure(normaliser: SearchNormaliser) -> dict[str, float]:
    corpus = sorted({title for _, title, _, _ in PAIRS} | {t for *_, also in PAIRS for t in also})
    indexed = {title: text_terms(normaliser, title, "fi") for title in corpus}
    found = retrieved = relevant_retrieved = kind_right = 0
    misses: list[str] = []
    for query, title, kind, also in PAIRS:
        words, _ = query_words(normaliser, query)
        forms = {form for word in words for form in word.forms}
        relevant = {title, *also}
        hits = {t: ("word" if forms & set(terms.words) else "part")
                for t, terms in indexed.items() if forms & (set(terms.words) | set(terms.parts))}  # fmt: skip
        retrieved += len(hits)
        relevant_retrieved += len(relevant & hits.keys())
        if title in hits:
            found += 1
            kind_right += hits[title] == kind
        else:
            misses.append(query)
    return {
        "recall": found / len(PAIRS),
        "precision": relevant_retrieved / retrieved if retrieved else 0.0,
        "kind_right": kind_right / found if found else 0.0,
        "misses": misses,  # type: ignore[dict-item]
    }


def main() -> None:
    print(f"{len(PAIRS)} query/title pairs; corpus = their titles")
    print(f"{'normaliser':<14}{'recall':>8}{'precision':>11}{'kind right':>12}{'load s':>8}  missed")
    for name in ("snowball", "simplemma", "voikko"):
        started = time.perf_counter()
        try:
            normaliser = make_search_normaliser(name)
        except Exception as exc:  # Voikko missing on this machine
            print(f"{name:<14} not available: {exc}")
            continue
        figures = measure(normaliser)
        load = time.perf_counter() - started
        print(
            f"{normaliser.name:<14}{figures['recall']:>8.3f}{figures['precision']:>11.3f}"
            f"{figures['kind_right']:>12.3f}{load:>8.1f}  {' '.join(figures['misses'])}"
        )  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
