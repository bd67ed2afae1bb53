"""Actors' own rules, kept by the database."""

from __future__ import annotations

import pytest
from django.db import connection

from actors.models import Actor, NameKind
from tests.factories import ActorFactory, ActorNameFactory

pytestmark = pytest.mark.django_db


def commit_time() -> None:
    """Run what the commit runs: the deferred constraints and triggers."""
    connection.check_constraints()


def test_a_renamed_actor_keeps_its_old_name_as_a_former_name() -> None:
    actor = ActorFactory(name="Jabhat al-Nusra")

    Actor.objects.filter(pk=actor.pk).update(name="Hay'at Tahrir al-Sham")
    commit_time()

    assert list(actor.names.values_list("name", "kind")) == [("Jabhat al-Nusra", NameKind.FORMER)]


def test_a_name_it_already_has_or_a_change_of_case_adds_nothing() -> None:
    actor = ActorFactory(name="Tahrir al-Sham")
    ActorNameFactory(actor=actor, name="Tahrir al-Sham", kind=NameKind.SHORT)
    other = ActorFactory(name="Syrian Democratic Forces")

    Actor.objects.filter(pk=actor.pk).update(name="Hay'at Tahrir al-Sham")
    Actor.objects.filter(pk=other.pk).update(name="Syrian Democratic forces")
    commit_time()

    assert list(actor.names.values_list("name", "kind")) == [("Tahrir al-Sham", NameKind.SHORT)]
    assert not other.names.exists()


def test_an_actor_deleted_after_its_rename_leaves_no_name_behind() -> None:
    actor = ActorFactory(name="Jaysh al-Izza")

    Actor.objects.filter(pk=actor.pk).update(name="Jaish al-Izza")
    Actor.objects.filter(pk=actor.pk).delete()
    commit_time()  # would fail on the name's foreign key if one were written

    assert not Actor.objects.filter(pk=actor.pk).exists()
