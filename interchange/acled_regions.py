"""ACLED's regions: its own fixed list (number and name), and the region of every ISO 3166-1
country, so that every event an ACLED layout writes has one (ACLED's ``region`` column and its
API's ``region`` filter and ``/api/region/read``).

ACLED numbers its regions with gaps (6, 8 and 10 are unused). Territories are placed with the
region of the country they lie in or near, as ACLED codes their events.
"""

from __future__ import annotations

ACLED_REGIONS: dict[int, str] = {
    1: "Western Africa",
    2: "Middle Africa",
    3: "Eastern Africa",
    4: "Southern Africa",
    5: "Northern Africa",
    7: "South Asia",
    9: "Southeast Asia",
    11: "Middle East",
    12: "Europe",
    13: "Caucasus and Central Asia",
    14: "Central America",
    15: "South America",
    16: "Caribbean",
    17: "East Asia",
    18: "North America",
    19: "Oceania",
    20: "Antarctica",
}

_COUNTRIES_OF_REGION: dict[int, str] = {
    1: "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",
    2: "AO CD CF CG CM GA GQ ST TD",
    3: "BI DJ ER ET IO KE KM MG MU RE RW SC SO SS TZ UG YT",
    4: "BW LS MW MZ NA SZ ZA ZM ZW",
    5: "DZ EG EH LY MA SD TN",
    7: "AF BD BT IN LK MV NP PK",
    9: "BN ID KH LA MM MY PH SG TH TL VN",
    11: "AE BH IL IQ IR JO KW LB OM PS QA SA SY TR YE",
    12: (
        "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT"
        " JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA"
    ),
    13: "AM AZ GE KG KZ TJ TM UZ",
    14: "BZ CR GT HN MX NI PA SV",
    15: "AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE",
    16: ("AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI"),
    17: "CN HK JP KP KR MN MO TW",
    18: "BM CA GL PM US",
    19: ("AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS"),
    20: "AQ TF",
}

REGION_OF_ALPHA2: dict[str, int] = {
    code: number for number, codes in _COUNTRIES_OF_REGION.items() for code in codes.split()
}


def region_of(country_code: str | None) -> int | None:
    """ACLED's region number of a country (ISO 3166-1 alpha-2), or None."""
    return REGION_OF_ALPHA2.get(country_code or "")


def region_name(country_code: str | None) -> str:
    number = region_of(country_code)
    return ACLED_REGIONS[number] if number is not None else ""
