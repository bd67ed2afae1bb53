"""An event's fatality range and contested flag follow its claims, whatever changes them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from events.models import Event, FatalityRule
from events.services import event_recompute_figures
from sources.models import Claim, ClaimStatus, Stance
from sources.services import claim_deprecate, claim_record
from tests.factories import ActorFactory, ClaimFactory, DocumentRelayFactory, EventFactory

pytestmark = pytest.mark.django_db


def figures(event: Event) -> tuple:
    event.refresh_from_db()
    return (*event.fatality_range(), event.contested)


def test_an_event_without_fatality_claims_has_no_figures():
    event = EventFactory()
    assert figures(event) == (None, None, None, False)


def test_the_range_spans_every_accepted_claim_and_best_comes_from_the_most_credible():
    event = EventFactory()
    ClaimFactory(event=event, value_low=10, value_best=13, value_high=15, credibility=3)
    ClaimFactory(event=event, value_best=40, credibility=2)
    ClaimFactory(event=event, value_best=2, credibility=5)
    assert figures(event) == (2, 40, 40, True)


def test_the_conservative_rule_takes_the_lowest_figures_as_acled_does():
    event = EventFactory(fatality_rule=FatalityRule.CONSERVATIVE)
    ClaimFactory(event=event, value_low=10, value_best=13, value_high=15)
    ClaimFactory(event=event, value_best=40)
    assert figures(event) == (10, 13, 15, True)


def test_the_preferred_rule_takes_the_marked_claim_or_the_range_while_none_is_marked():
    event = EventFactory(fatality_rule=FatalityRule.PREFERRED)
    ClaimFactory(event=event, value_best=13)
    preferred = ClaimFactory(event=event, value_low=20, value_best=25, value_high=30)
    assert figures(event) == (13, 13, 30, True)
    Claim.objects.filter(pk=preferred.pk).update(is_preferred=True)
    assert figures(event) == (20, 25, 30, True)


def test_changing_the_rule_recomputes_the_figures():
    event = EventFactory()
    ClaimFactory(event=event, value_best=13)
    ClaimFactory(event=event, value_best=40, credibility=1)
    assert figures(event)[:3] == (13, 40, 40)
    event.fatality_rule = FatalityRule.CONSERVATIVE
    event.save()
    assert figures(event)[:3] == (13, 13, 13)


def test_two_claimants_giving_the_same_figure_do_not_contest_an_event():
    event = EventFactory()
    ClaimFactory(event=event, value_best=13)
    ClaimFactory(event=event, value_best=13)
    assert figures(event) == (13, 13, 13, False)


def test_a_denial_makes_an_event_contested():
    event = EventFactory()
    ClaimFactory(event=event, value_best=13)
    assert figures(event)[3] is False
    ClaimFactory(event=event, kind="occurred", value_best=None, stance=Stance.DENIES)
    assert figures(event)[3] is True


def test_different_perpetrators_make_an_event_contested():
    event = EventFactory()
    ClaimFactory(event=event, kind="perpetrator", value_best=None, value_actor=ActorFactory())
    assert figures(event)[3] is False
    ClaimFactory(event=event, kind="perpetrator", value_best=None, value_actor=ActorFactory())
    assert figures(event)[3] is True


def test_a_deprecated_claim_no_longer_counts(reviewer):
    event = EventFactory()
    ClaimFactory(event=event, value_best=13)
    wrong = ClaimFactory(event=event, value_best=130)
    assert figures(event) == (13, 13, 130, True)
    claim_deprecate(claim=wrong, reason="Typo in the wire copy: 13, not 130.", by=reviewer)
    assert figures(event) == (13, 13, 13, False)
    event.refresh_from_db()
    assert event.claim_count == 1


def test_a_disputed_claim_contests_but_does_not_enter_the_range():
    event = EventFactory()
    ClaimFactory(event=event, value_best=13)
    ClaimFactory(event=event, value_best=50, status=ClaimStatus.DISPUTED)
    assert figures(event) == (13, 13, 13, True)


def test_a_bulk_update_and_a_delete_recompute_the_figures():
    event = EventFactory()
    first = ClaimFactory(event=event, value_best=13)
    ClaimFactory(event=event, value_best=20)
    Claim.objects.filter(event=event).update(value_best=7)
    assert figures(event) == (7, 7, 7, False)
    first.delete()
    event.refresh_from_db()
    assert event.claim_count == 1


def test_moving_a_claim_to_another_event_recomputes_both():
    old, new = EventFactory(), EventFactory()
    claim = ClaimFactory(event=old, value_best=13)
    Claim.objects.filter(pk=claim.pk).update(event=new)
    assert figures(old)[:3] == (None, None, None)
    assert figures(new)[:3] == (13, 13, 13)


def test_a_wire_story_reprinted_by_two_outlets_counts_as_one_source():
    event = EventFactory()
    first, second = ClaimFactory(event=event), ClaimFactory(event=event)
    event.refresh_from_db()
    assert event.source_count == 2
    wire = DocumentRelayFactory(document=first.document).outlet
    DocumentRelayFactory(document=second.document, outlet=wire)
    event.refresh_from_db()
    assert event.source_count == 1


def test_claim_record_validates_like_the_admin_and_updates_the_event():
    event = EventFactory()
    source = ClaimFactory.build()  # unsaved: only to borrow a claimant and a document
    source.claimant_actor.save()
    source.document.outlet.save()
    source.document.save()
    claim_record(
        subject=event,
        claimant=source.claimant_actor,
        document=source.document,
        kind="fatalities",
        quote="13 killed",
        value_best=13,
    )
    assert figures(event)[:3] == (13, 13, 13)
    with pytest.raises(ValidationError) as raised:
        claim_record(
            subject=event,
            claimant=source.claimant_actor,
            document=source.document,
            kind="fatalities",
            quote="no figure",
        )
    assert "value_best" in raised.value.message_dict


def test_an_editor_cannot_deprecate_a_claim(editor):
    claim = ClaimFactory()
    with pytest.raises(Exception, match="Only reviewers"):
        claim_deprecate(claim=claim, reason="wrong", by=editor)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED


def test_recomputing_by_hand_repairs_figures_edited_in_sql():
    event = EventFactory()
    ClaimFactory(event=event, value_best=13)
    Event.objects.filter(pk=event.pk).update(fatalities_best=99, fatalities_high=99)
    event_recompute_figures(events=[event])
    assert figures(event)[:3] == (13, 13, 13)
