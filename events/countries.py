"""ISO 3166-1 country codes: ACLED's ``iso`` column holds the numeric code, places the alpha-2.

From pycountry (Debian's iso-codes data), so every country an export names round-trips, not
only those of the data sets held so far.
"""

from __future__ import annotations

import pycountry

NUMERIC_OF_ALPHA2: dict[str, int] = {
    country.alpha_2: int(country.numeric) for country in pycountry.countries
}
ALPHA2_OF_NUMERIC: dict[int, str] = {number: code for code, number in NUMERIC_OF_ALPHA2.items()}
ALPHA3_OF_ALPHA2: dict[str, str] = {
    country.alpha_2: country.alpha_3 for country in pycountry.countries
}
