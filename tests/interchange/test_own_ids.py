"""ConflictKB's own ACLED ids (``own_acled_id``: the country's three letters, "CKB", the
event's number) and the texts that can be part of one, which ACLED's API must also look for
among the events without an ACLED id when a client asks for ids containing a text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interchange.layouts import OWN_ACLED_ID, PART_OF_OWN_ACLED_ID


@given(
    country=st.from_regex(r"[A-Z]{3}", fullmatch=True),
    number=st.integers(1, 10**18 - 1),
    data=st.data(),
)
def test_every_part_of_an_own_id_is_known_as_one(
    country: str, number: int, data: st.DataObject
) -> None:
    own = f"{country}CKB{number}"
    assert OWN_ACLED_ID.fullmatch(own)
    start = data.draw(st.integers(0, len(own) - 1))
    end = data.draw(st.integers(start + 1, len(own)))
    assert PART_OF_OWN_ACLED_ID.fullmatch(own[start:end])


@pytest.mark.parametrize("text", ["SYR9001", "R900", "SYR1", "SYRIA", "CKBX", "9CKB", "SYR-1"])
def test_texts_no_own_id_holds_are_not_taken_for_parts_of_one(text: str) -> None:
    assert PART_OF_OWN_ACLED_ID.fullmatch(text) is None
