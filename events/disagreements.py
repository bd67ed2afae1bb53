"""Why an event is contested, in words, from the claims a user can see.

The database decides whether an event is contested (``contested`` for readers, from the claims
they can open; ``staff_contested`` from every claim that is not deprecated; sources migration
0011). This names each disagreement behind that flag, by the same rule, so that the contested
banner and the API's ``contested_because`` say which claims disagree, not only that some do:
a denial; two fatality claims with different figures; two perpetrator (or target) claims
naming different actors. Given exactly the claims the flag was computed from, it returns a
reason whenever the flag is set and none otherwise (``tests/events/test_disagreements.py``).

Claims are read by attribute (kind, stance, status, figures, value actor, claimant), so
events need not import the sources app that defines them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from events.templatetags.conflictkb import figure_range_label

NAMED_KINDS = {"perpetrator": "perpetrators", "target": "targets"}


def figures_of(claim: Any) -> tuple[int | None, int | None, int | None]:
    """A claim's figures with the missing ones filled from the others, as the database
    compares them (coalesce(low, best, high), coalesce(best, low, high), ...)."""
    low, best, high = claim.value_low, claim.value_best, claim.value_high
    return (
        next((v for v in (low, best, high) if v is not None), None),
        next((v for v in (best, low, high) if v is not None), None),
        next((v for v in (high, best, low) if v is not None), None),
    )


def claimants(claims: Iterable[Any]) -> tuple[str, int]:
    """The claimants of ``claims`` in words ("SOHR and Reuters"), and how many they are."""
    names = list(dict.fromkeys(str(claim.claimant) for claim in claims))
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return text, len(names)


def naming(group: list[Any]) -> str:
    """ "SOHR names civilians": who names which actor (absent for a reader who may not see
    it: the claim still names it, and the flag counts it)."""
    who, how_many = claimants(group)
    actor = group[0].value_actor
    what = actor.name if actor is not None else "an actor not yet published"
    return f"{who} {'name' if how_many > 1 else 'names'} {what}"


def grouped(claims: list[Any], key: Any) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = {}
    for claim in claims:
        groups.setdefault(key(claim), []).append(claim)
    return groups


def contested_because(claims: Iterable[Any]) -> list[str]:
    """Each disagreement among ``claims`` (deprecated ones do not count), in words:
    "figures differ: SOHR 13, Syria Civil Defence 16"; "targets differ: Russia's Defence
    Ministry names Tahrir al-Sham, SOHR names civilians"; "denied by …"."""
    counted = [claim for claim in claims if claim.status != "deprecated"]
    reasons = []
    denials = [claim for claim in counted if claim.stance == "denies"]
    if denials:
        reasons.append(f"denied by {claimants(denials)[0]}")
    fatalities = grouped([c for c in counted if c.kind == "fatalities"], figures_of)
    if len(fatalities) > 1:
        in_order = sorted(fatalities.items(), key=lambda item: [v or 0 for v in item[0]])
        reasons.append(
            "figures differ: "
            + ", ".join(
                f"{claimants(group)[0]} {figure_range_label(*figures)}"
                for figures, group in in_order
            )
        )
    for kind, plural in NAMED_KINDS.items():
        named = grouped(
            [c for c in counted if c.kind == kind and c.value_actor_id is not None],
            lambda claim: claim.value_actor_id,
        )
        if len(named) > 1:
            # In words' order, so that a page and the API (whose claims come in different
            # orders) say the same.
            reasons.append(f"{plural} differ: " + ", ".join(sorted(map(naming, named.values()))))
    return reasons
