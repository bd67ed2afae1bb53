"""The actors and actor relations API."""

# ruff: noqa: F811  (the api_* fixtures are imported from tests/api/fixtures.py)

from __future__ import annotations

import pytest

from actors.models import Actor, ActorName, ActorRelation
from tests.api.fixtures import (  # noqa: F401  (fixtures)
    API_URLS,
    THROTTLE_QUERIES,
    api_anon,
    api_editor,
    api_reviewer,
    ids,
    results,
)
from tests.factories import ActorFactory, ActorNameFactory, ActorRelationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]

ACTORS = "/api/v1/actors/"
RELATIONS = "/api/v1/actor-relations/"


@pytest.fixture
def hts() -> Actor:
    actor = ActorFactory(name="Hay'at Tahrir al-Sham", kind="jihadist_group", country_code="SY")
    ActorNameFactory(actor=actor, name="HTS", kind="abbreviation")
    ActorNameFactory(actor=actor, name="Jabhat al-Nusra", kind="former")
    return actor


def test_an_actor_carries_its_names_and_relations_both_ways(api_anon, hts):
    turkey = ActorFactory(name="Turkey", kind="state")
    ActorRelationFactory(subject=turkey, kind="designates_terrorist", object=hts)
    ActorRelationFactory(subject=hts, kind="opposes", object=ActorFactory(name="Syria"))
    body = api_anon.get(f"{ACTORS}{hts.uuid}/").json()
    assert body["id"] == str(hts.uuid)
    assert body["url"] == f"http://testserver{ACTORS}{hts.uuid}/"
    assert {(n["name"], n["kind"]) for n in body["names"]} == {
        ("HTS", "abbreviation"),
        ("Jabhat al-Nusra", "former"),
    }
    assert {(r["subject"]["name"], r["kind"], r["object"]["name"]) for r in body["relations"]} == {
        ("Turkey", "designates_terrorist", "Hay'at Tahrir al-Sham"),
        ("Hay'at Tahrir al-Sham", "opposes", "Syria"),
    }


def test_q_finds_an_actor_by_any_of_its_names(api_anon, hts):
    ActorFactory(name="Free Syrian Army")
    assert ids(api_anon.get(ACTORS, {"q": "nusra"})) == [str(hts.uuid)]
    assert ids(api_anon.get(ACTORS, {"q": "HTS"})) == [str(hts.uuid)]


def test_kind_country_and_acled_type_filter_actors(api_anon, hts):
    army = ActorFactory(name="Military Forces of Syria", kind="state_forces", acled_type=1)
    assert ids(api_anon.get(ACTORS, {"kind": "jihadist_group"})) == [str(hts.uuid)]
    assert ids(api_anon.get(ACTORS, {"acled_type": 1})) == [str(army.uuid)]
    assert ids(api_anon.get(ACTORS, {"country": "sy"})) == [str(hts.uuid)]


@pytest.mark.parametrize(
    "params", [{"kind": "dragon"}, {"acled_type": 9}, {"updated_since": "tomorrow"}]
)
def test_unknown_filter_values_are_a_400(api_anon, hts, params):
    response = api_anon.get(ACTORS, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_anonymous_readers_see_no_draft_actors_nor_relations_to_them(api_anon, api_editor, hts):
    draft = ActorFactory(name="Secret cell", status="draft")
    ActorRelationFactory(subject=draft, kind="member_of", object=hts)
    assert ids(api_anon.get(ACTORS)) == [str(hts.uuid)]
    assert api_anon.get(f"{ACTORS}{draft.uuid}/").status_code == 404
    assert api_anon.get(f"{ACTORS}{hts.uuid}/").json()["relations"] == []
    assert results(api_anon.get(RELATIONS)) == []
    assert str(draft.uuid) in ids(api_editor.get(ACTORS))
    assert len(results(api_editor.get(RELATIONS))) == 1


def test_the_actor_list_costs_the_same_queries_for_1_and_100_actors(
    api_anon, django_assert_num_queries
):
    def actor_with_names_and_relations() -> None:
        actor = ActorFactory()
        ActorNameFactory(actor=actor)
        ActorRelationFactory(subject=actor)

    actor_with_names_and_relations()
    # 1 actors; 2 their names; 3 relations as subject (both ends joined); 4 as object;
    # 5, 6 the data version and whether a commit is in flight (the response is not cached yet)
    with django_assert_num_queries(6 + THROTTLE_QUERIES):
        rows = results(api_anon.get(ACTORS, {"page_size": 500}))
        assert len(rows) == 2
    for _ in range(99):
        actor_with_names_and_relations()
    with django_assert_num_queries(6 + THROTTLE_QUERIES):
        rows = results(api_anon.get(ACTORS, {"page_size": 500}))
        assert len(rows) == 200
        assert sum(len(r["names"]) for r in rows) == 100
        assert sum(len(r["relations"]) for r in rows) == 200


def test_the_relation_list_costs_the_same_queries_for_1_and_100_relations(
    api_anon, django_assert_num_queries
):
    ActorRelationFactory()
    # 1 relations with subject and object joined;
    # 2, 3 the data version and whether a commit is in flight (the response is not cached yet)
    with django_assert_num_queries(3 + THROTTLE_QUERIES):
        assert len(results(api_anon.get(RELATIONS))) == 1
    ActorRelationFactory.create_batch(99)
    with django_assert_num_queries(3 + THROTTLE_QUERIES):
        rows = results(api_anon.get(RELATIONS, {"page_size": 100}))
        assert len(rows) == 100
        assert all(r["subject"]["name"] and r["object"]["name"] for r in rows)


def test_relations_filter_by_actor_at_either_end_kind_and_date(api_anon, hts):
    turkey = ActorFactory(name="Turkey")
    designation = ActorRelationFactory(
        subject=turkey, kind="designates_terrorist", object=hts, valid_from="2018-08-31"
    )
    other = ActorRelationFactory(kind="backs")
    assert ids(api_anon.get(RELATIONS, {"actor": str(hts.uuid)})) == [str(designation.uuid)]
    assert ids(api_anon.get(RELATIONS, {"object": str(hts.uuid)})) == [str(designation.uuid)]
    assert ids(api_anon.get(RELATIONS, {"kind": "backs"})) == [str(other.uuid)]
    on_date = ids(api_anon.get(RELATIONS, {"valid_on": "2018-08-01"}))
    assert on_date == [str(other.uuid)]
    assert api_anon.get(RELATIONS, {"actor": "nope"}).status_code == 400


def test_an_editor_creates_an_actor_with_names_as_a_draft(api_editor):
    response = api_editor.post(
        ACTORS,
        {
            "name": "National Front for Liberation",
            "kind": "rebel_group",
            "country_code": "sy",
            "names": [{"name": "NFL", "kind": "abbreviation"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["country_code"] == "SY"  # upper-cased by Actor.clean(), as in the admin
    assert body["status"] == "draft"
    assert [n["name"] for n in body["names"]] == ["NFL"]


def test_names_are_replaced_on_update_and_duplicates_refused(api_editor, hts):
    url = f"{ACTORS}{hts.uuid}/"
    response = api_editor.patch(
        url, {"names": [{"name": "Tahrir al-Sham", "kind": "short"}]}, format="json"
    )
    assert response.status_code == 200
    assert list(ActorName.objects.filter(actor=hts).values_list("name", flat=True)) == [
        "Tahrir al-Sham"
    ]
    twice = [{"name": "X", "kind": "short"}, {"name": "X", "kind": "short"}]
    assert api_editor.patch(url, {"names": twice}, format="json").status_code == 400


def test_an_editor_cannot_publish_an_actor_but_a_reviewer_can(api_editor, api_reviewer):
    draft = ActorFactory(status="draft")
    url = f"{ACTORS}{draft.uuid}/"
    assert api_editor.patch(url, {"status": "published"}, format="json").status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert api_reviewer.patch(url, {"status": "published"}, format="json").status_code == 200


def test_a_bad_country_code_gets_the_admins_field_message(api_editor):
    response = api_editor.post(ACTORS, {"name": "X", "kind": "state", "country_code": "S1"})
    assert response.status_code == 400
    assert "country_code" in response.json()


def test_a_relation_to_oneself_or_ending_before_it_starts_is_a_field_error(api_editor, hts):
    response = api_editor.post(
        RELATIONS,
        {"subject": str(hts.uuid), "kind": "opposes", "object": str(hts.uuid)},
        format="json",
    )
    assert response.status_code == 400
    assert "object" in response.json()
    other = ActorFactory()
    response = api_editor.post(
        RELATIONS,
        {
            "subject": str(hts.uuid),
            "kind": "opposes",
            "object": str(other.uuid),
            "valid_from": "2018-09-01",
            "valid_to": "2018-01-01",
        },
        format="json",
    )
    assert response.json() == {"valid_to": ["The end date must be on or after the start date."]}


def test_a_duplicate_relation_is_a_400(api_editor, hts):
    other = ActorFactory()
    payload = {"subject": str(hts.uuid), "kind": "opposes", "object": str(other.uuid)}
    assert api_editor.post(RELATIONS, payload, format="json").status_code == 201
    response = api_editor.post(RELATIONS, payload, format="json")
    assert response.status_code == 400
    assert "already recorded" in str(response.json())
    assert ActorRelation.objects.count() == 1


def test_an_unknown_actor_id_in_a_relation_is_a_field_error(api_editor, hts):
    response = api_editor.post(
        RELATIONS,
        {"subject": str(hts.uuid), "kind": "opposes", "object": "not-a-uuid"},
        format="json",
    )
    assert response.status_code == 400
    assert "object" in response.json()


@pytest.mark.django_db(transaction=True)  # the old name is kept as the rename commits
def test_an_actor_renamed_through_the_api_answers_with_its_old_name_kept(api_editor):
    actor = ActorFactory(name="Jabhat Fateh al-Sham", kind="jihadist_group")

    response = api_editor.patch(
        f"{ACTORS}{actor.uuid}/", {"name": "Hay'at Tahrir al-Sham"}, format="json"
    )

    assert response.status_code == 200
    names = [(n["name"], n["kind"]) for n in response.json()["names"]]
    assert names == [("Jabhat Fateh al-Sham", "former")]
