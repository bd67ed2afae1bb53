"""UCDP's country numbers and regions: GED's ``country_id`` is the state's Gleditsch and Ward
number, and its ``region`` follows from it (UCDP's five regions by number range). Used by the
UCDP GED layout and its API (``/api/gedevents/<version>?Country=652``).

Independent states only, as Gleditsch and Ward list them: a territory (Western Sahara, Puerto
Rico, …) has no number, and its events are written with a blank ``country_id`` and region.
UCDP codes events in Palestine under Israel (666).
"""

from __future__ import annotations

_NUMBERS = """
US 2 CA 20 BS 31 CU 40 HT 41 DO 42 JM 51 TT 52 BB 53 DM 54 GD 55 LC 56 VC 57 AG 58 KN 60
MX 70 BZ 80 GT 90 HN 91 SV 92 NI 93 CR 94 PA 95 CO 100 VE 101 GY 110 SR 115 EC 130 PE 135
BR 140 BO 145 PY 150 CL 155 AR 160 UY 165
GB 200 IE 205 NL 210 BE 211 LU 212 FR 220 MC 221 LI 223 CH 225 ES 230 AD 232 PT 235 DE 260
PL 290 AT 305 HU 310 CZ 316 SK 317 IT 325 SM 331 MT 338 AL 339 RS 340 ME 341 MK 343 HR 344
BA 346 XK 347 SI 349 GR 350 CY 352 BG 355 MD 359 RO 360 RU 365 EE 366 LV 367 LT 368 UA 369
BY 370 AM 371 GE 372 AZ 373 FI 375 SE 380 NO 385 DK 390 IS 395
CV 402 ST 403 GW 404 GQ 411 GM 420 ML 432 SN 433 BJ 434 MR 435 NE 436 CI 437 GN 438 BF 439
LR 450 SL 451 GH 452 TG 461 CM 471 NG 475 GA 481 CF 482 TD 483 CG 484 CD 490 UG 500 KE 501
TZ 510 BI 516 RW 517 SO 520 DJ 522 ET 530 ER 531 AO 540 MZ 541 ZM 551 ZW 552 MW 553 ZA 560
NA 565 LS 570 BW 571 SZ 572 MG 580 KM 581 MU 590 SC 591
MA 600 DZ 615 TN 616 LY 620 SD 625 SS 626 IR 630 TR 640 IQ 645 EG 651 SY 652 LB 660 JO 663
IL 666 PS 666 SA 670 YE 678 KW 690 BH 692 QA 694 AE 696 OM 698
AF 700 TM 701 TJ 702 KG 703 UZ 704 KZ 705 CN 710 MN 712 TW 713 KP 731 KR 732 JP 740 IN 750
BT 760 PK 770 BD 771 MM 775 LK 780 MV 781 NP 790 TH 800 KH 811 LA 812 VN 816 MY 820 SG 830
BN 835 PH 840 ID 850 TL 860 AU 900 PG 910 NZ 920 VU 935 SB 940 FJ 950 KI 970 NR 971 TO 972
TV 973 MH 983 PW 986 FM 987 WS 990
"""

_pairs = _NUMBERS.split()
GW_OF_ALPHA2: dict[str, int] = {
    code: int(number) for code, number in zip(_pairs[::2], _pairs[1::2], strict=True)
}

# GED's country_id read back as the country's ISO code, for the places an import creates (666:
# Israel, under which UCDP codes Palestine's events too).
ALPHA2_OF_GW: dict[int, str] = {number: code for code, number in reversed(GW_OF_ALPHA2.items())}

# UCDP's regions by Gleditsch and Ward number (its "region" column).
_REGIONS = (
    (2, 199, "Americas"),
    (200, 399, "Europe"),
    (400, 626, "Africa"),
    (630, 698, "Middle East"),
    (700, 999, "Asia"),
)


def gw_number(country_code: str | None) -> int | None:
    return GW_OF_ALPHA2.get(country_code or "")


def ucdp_region(country_code: str | None) -> str:
    number = gw_number(country_code)
    if number is None:
        return ""
    return next(name for low, high, name in _REGIONS if low <= number <= high)
