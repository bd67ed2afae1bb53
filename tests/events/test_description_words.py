"""The vocabulary of the descriptions (DescriptionWord), kept by the database whoever writes
the events: ACLED's notes filter finds events through the words it holds, so a word of a
description missing from it would hide that event from the filter."""

from __future__ import annotations

import pytest

from events.models import DESCRIPTION_WORDS, DescriptionWord, Event
from tests.factories import ClaimFactory, EventFactory

pytestmark = pytest.mark.django_db


def vocabulary() -> set[str]:
    return set(DescriptionWord.objects.values_list("word", flat=True))


def words_of_the_descriptions() -> set[str]:
    found: set[str] = set()
    for words in Event.objects.annotate(words=DESCRIPTION_WORDS).values_list("words", flat=True):
        found |= set(words) - {""}
    return found


def test_the_vocabulary_holds_every_word_of_every_description_however_written():
    shelling = EventFactory(summary="Shelling of Ma’arrat al-Nu'man: 3 killed, 12 WOUNDED.")
    EventFactory(summary="ÇANAKKALE — protest; Déraa_2018 (see https://example.org/a?b=1)")
    EventFactory(summary="")
    assert words_of_the_descriptions() <= vocabulary()
    written = {"ma", "arrat", "nu", "man", "3", "wounded", "çanakkale", "déraa", "2018"}
    assert written <= vocabulary()

    shelling.summary = "Shelling of Khan Shaykhun"  # a save
    shelling.save()
    Event.objects.filter(summary="").update(summary="Convoy ambushed near Saraqib")  # SQL
    ClaimFactory(event=shelling)  # the figures' update leaves the descriptions as they were
    assert words_of_the_descriptions() <= vocabulary()
    assert {"khan", "shaykhun", "convoy", "saraqib"} <= vocabulary()
    # A word no description holds any more stays, finding no event.
    assert "wounded" in vocabulary() - words_of_the_descriptions()
