"""Evidence: outlets publish documents; documents carry claims made by claimants."""

from __future__ import annotations

import re
from typing import Self

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from actors.models import SEARCH_NAME_SIMILARITY, SHORT_NAME_LENGTH, Actor, ActorRelation
from core.audit import audited
from core.models import (
    NumNonNulls,
    Publication,
    PublicRecord,
    Publishable,
    PublishableQuerySet,
    ReadersQuerySet,
    ReturnedBooleanField,
    equality_index,
    sees_drafts,
)
from events.models import Event, Location


def web_address(field: str) -> models.CheckConstraint:
    """Links shown to readers are http(s) only: never ``javascript:`` or ``data:``, whatever
    wrote the row. Schemes are case-insensitive (RFC 3986): ``HTTPS://`` is a web address."""
    return models.CheckConstraint(
        condition=Q(**{field: ""})
        | Q(**{f"{field}__istartswith": "https://"})
        | Q(**{f"{field}__istartswith": "http://"}),
        name=f"%(class)s_{field}_http",
        violation_error_message="Only http:// and https:// addresses are accepted.",
    )


class OutletKind(models.TextChoices):
    NEWS_AGENCY = "news_agency", "News agency"
    NEWSPAPER = "newspaper", "Newspaper"
    BROADCASTER = "broadcaster", "Broadcaster"
    MONITOR = "monitor", "Monitoring NGO"
    GOVERNMENT = "government", "Government body"
    ARMED_GROUP_MEDIA = "armed_group_media", "Armed group media"
    INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
    DATASET = "dataset", "Dataset"


class Reliability(models.TextChoices):
    """Admiralty code: reliability of the source."""

    A = "A", "A · Completely reliable"
    B = "B", "B · Usually reliable"
    C = "C", "C · Fairly reliable"
    D = "D", "D · Not usually reliable"
    E = "E", "E · Unreliable"
    F = "F", "F · Reliability cannot be judged"


class Credibility(models.IntegerChoices):
    """Admiralty code: credibility of the information."""

    CONFIRMED = 1, "1 · Confirmed by other sources"
    PROBABLY_TRUE = 2, "2 · Probably true"
    POSSIBLY_TRUE = 3, "3 · Possibly true"
    DOUBTFUL = 4, "4 · Doubtful"
    IMPROBABLE = 5, "5 · Improbable"
    CANNOT_BE_JUDGED = 6, "6 · Truth cannot be judged"


class OutletQuerySet(PublishableQuerySet):
    def answering_to(self, text: str) -> Self:
        """Outlets with a word of their name starting with ``text`` ("Reuters", "Syrian Obs")."""
        return self.filter(name__iregex=r"\m" + re.escape(text.strip()))

    def search(self, text: str) -> Self:
        """Outlets answering to ``text`` or with a name close to it, with the site search's
        tolerance (short texts must match exactly)."""
        threshold = SEARCH_NAME_SIMILARITY if len(text) > SHORT_NAME_LENGTH else 1.0
        return self.annotate(similarity=TrigramWordSimilarity(text, "name")).filter(
            Q(name__iregex=r"\m" + re.escape(text)) | Q(similarity__gte=threshold)
        )

    def for_detail(self, user: object = None) -> Self:
        """The outlet with the actor it speaks for (one query)."""
        return self.select_related("affiliated_actor").as_seen_by(user)


class DocumentQuerySet(PublishableQuerySet):
    def published(self) -> Self:
        """A document is public when it and its outlet are published."""
        return super().published().filter(outlet__status=Publication.PUBLISHED)

    def for_list(self, user: object = None) -> Self:
        """Documents with their outlet and the outlets they relay (2 queries); a reader sees
        only the published relayed outlets."""
        return (
            self.select_related("outlet")
            .prefetch_related(
                models.Prefetch("relays", queryset=Outlet.objects.visible_to(user).order_by("name"))
            )
            .as_seen_by(user)
        )

    def for_detail(self, user: object = None) -> Self:
        return self.for_list(user)


@audited()
class Outlet(Publishable):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=OutletKind.choices, db_index=True)
    country_code = models.CharField("country", max_length=2, blank=True, db_index=True)
    url = models.URLField("website", blank=True)
    affiliated_actor = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outlets",
        help_text="The actor this outlet speaks for, if any (Russia's Defence Ministry ↔ Russia).",
    )
    reliability = models.CharField(max_length=1, choices=Reliability.choices, blank=True)
    reliability_note = models.TextField(blank=True)

    objects = OutletQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("publish_outlet", "Can publish outlets")]
        indexes = [equality_index("outlet_status", "status")]
        constraints = [web_address("url")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sources:outlet", kwargs={"uuid": self.uuid})


@audited()
class Document(Publishable):
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=400)
    url = models.URLField("URL", max_length=600, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=12, blank=True, default="en")
    archive_url = models.URLField("archive URL", max_length=600, blank=True)
    text = models.TextField("excerpt or text", blank=True)
    relays = models.ManyToManyField(
        Outlet,
        through="DocumentRelay",
        blank=True,
        related_name="relayed_in",
        help_text="Outlets whose reporting this document carries (a Reuters wire story).",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = [F("published_on").desc(nulls_last=True), "title"]
        permissions = [("publish_document", "Can publish documents")]
        indexes = [equality_index("document_status", "status")]
        constraints = [
            web_address("url"),
            web_address("archive_url"),
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="document_url_unique",
                violation_error_message="A document with this URL is already recorded.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sources:document", kwargs={"uuid": self.uuid})


@audited()
class DocumentRelay(models.Model):
    """A document carries another outlet's reporting: corroboration counts that outlet once."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="relay_links")
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="relay_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "outlet"], name="documentrelay_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} relays {self.outlet}"


class ClaimKind(models.TextChoices):
    OCCURRED = "occurred", "It happened"
    PERPETRATOR = "perpetrator", "Perpetrator"
    TARGET = "target", "Target"
    FATALITIES = "fatalities", "Fatalities"
    DESIGNATION = "designation", "Designation"
    INTENT = "intent", "Statement of intent"
    STATEMENT = "statement", "Statement"
    POPULATION = "population", "Population"
    DISPLACED = "displaced", "Displaced people"
    REFUGEES = "refugees", "Refugees hosted"


NUMERIC_KINDS = (
    ClaimKind.FATALITIES,
    ClaimKind.POPULATION,
    ClaimKind.DISPLACED,
    ClaimKind.REFUGEES,
)
ACTOR_VALUE_KINDS = (ClaimKind.PERPETRATOR,)


class Stance(models.TextChoices):
    ASSERTS = "asserts", "Asserts"
    DENIES = "denies", "Denies"


class ClaimStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DISPUTED = "disputed", "Disputed"
    DEPRECATED = "deprecated", "Deprecated"
    NEEDS_WORK = "needs_work", "Needs work"


SUBJECT_FIELDS = ("event", "actor", "actor_relation", "location")
CLAIMANT_FIELDS = ("claimant_actor", "claimant_outlet")


class ClaimQuerySet(ReadersQuerySet):
    def public(self) -> Self:
        """Claims a reader can open, whatever their subject: not deprecated, not needing work,
        in a published document of a published outlet, by a published claimant.

        The rule itself is the database's (``ckb_claim_is_public`` in
        sources/sql/readers_evidence.sql), which keeps ``is_public`` right on every write;
        every figure readers see is derived from these claims only.
        """
        return self.filter(is_public=True)

    def published(self) -> Self:
        """Public claims about a published subject."""
        published = Publication.PUBLISHED
        return self.public().filter(
            Q(event__status=published)
            | Q(actor__status=published)
            | Q(location__status=published)
            | Q(
                actor_relation__subject__status=published,
                actor_relation__object__status=published,
            )
        )

    def counted_for(self, user: object) -> Self:
        """The claims whose evidence counts for ``user``, whatever their subject: those a
        reader can open, or for staff every claim that is not deprecated (what each audience's
        figures count). Callers narrow the subjects to those ``user`` sees: a test of the
        subject's status here, an OR over four subjects, kept the planner off the indexes."""
        if sees_drafts(user):
            return self.exclude(status=ClaimStatus.DEPRECATED)
        return self.public()

    def cited_for(self, user: object = None) -> Self:
        """Claims ready to cite, in one query, as ``user`` may see them (a draft named actor is
        absent): subject, claimant, document, outlet and the actor they name joined, and whether
        the claimant is a party. The loading strategy of the pages, the API and the downloads;
        no visibility rule (callers add ``visible_to``)."""
        return (
            self.select_related(
                "event",
                "actor",
                "location",
                "actor_relation__subject",
                "actor_relation__object",
                "claimant_actor",
                "claimant_outlet",
                "document__outlet",
                "value_actor",
            )
            .as_seen_by(user)
            .with_party_flag()
        )

    def with_party_flag(self) -> Self:
        """Annotate ``claimant_is_party``: the claimant (or its outlet's actor) took part in the
        claim's event, or belongs to the same body as a participant
        (sources/sql/party_rule.sql)."""
        claimant = Coalesce("claimant_actor_id", "claimant_outlet__affiliated_actor_id")
        return self.annotate(
            claimant_is_party=Coalesce(
                Func(
                    F("event_id"),
                    claimant,
                    function="ckb_claimant_is_party",
                    output_field=models.BooleanField(),
                ),
                Value(False),
                output_field=models.BooleanField(),
            )
        )


@audited(exclude=["search_vector"])
class Claim(PublicRecord):
    """One assertion by one claimant in one document about one subject."""

    # The subject: exactly one of these (database constraint claim_exactly_one_subject).
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="claims"
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, null=True, blank=True, related_name="claims_about"
    )
    actor_relation = models.ForeignKey(
        ActorRelation, on_delete=models.CASCADE, null=True, blank=True, related_name="claims"
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name="place",
    )

    kind = models.CharField(max_length=15, choices=ClaimKind.choices)
    # The claimant: exactly one of these. "Russia's Defence Ministry says", not "Reuters reports".
    claimant_actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_made",
        verbose_name="claimant (actor)",
    )
    claimant_outlet = models.ForeignKey(
        "Outlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_made",
        verbose_name="claimant (outlet)",
    )
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="claims")
    locator = models.CharField(
        max_length=100, blank=True, help_text="Where in the document: ¶ 9, p. 3, 01:24."
    )
    quote = models.TextField(help_text="The claimant's words as the document gives them.")

    value_low = models.PositiveBigIntegerField("low", null=True, blank=True)
    value_best = models.PositiveBigIntegerField("best", null=True, blank=True)
    value_high = models.PositiveBigIntegerField("high", null=True, blank=True)
    civilians = models.PositiveIntegerField(null=True, blank=True, help_text="Civilians killed.")
    combatants = models.PositiveIntegerField(null=True, blank=True, help_text="Fighters killed.")
    value_actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_naming",
        help_text="The actor the claim names: the perpetrator, the target.",
    )
    value_text = models.CharField(
        max_length=300, blank=True, help_text="What was hit, the designation, the intent."
    )

    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.ASSERTS)
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices, default=Credibility.CANNOT_BE_JUDGED
    )
    status = models.CharField(
        max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.ACCEPTED
    )
    deprecation_reason = models.TextField(blank=True)
    is_preferred = models.BooleanField(
        "preferred figure",
        default=False,
        help_text="Use this claim's figures when the event's rule is “preferred claim”.",
    )
    note = models.TextField("editor's note", blank=True)
    # Whether readers can open this claim: set by the database on every write of the claim,
    # its document, the document's outlet or its claimant, from the one rule in
    # ckb_claim_is_public() (sources/sql/readers_evidence.sql). Every figure and list a
    # reader sees rests on it.
    is_public = ReturnedBooleanField("visible to readers", db_default=False, editable=False)

    search_vector = models.GeneratedField(
        expression=SearchVector("quote", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "id"]
        permissions = [("deprecate_claim", "Can deprecate claims")]
        indexes = [
            GinIndex(fields=["search_vector"], name="claim_search"),
            equality_index("claim_kind", "kind"),
            equality_index("claim_status", "status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.lookups.Exact(NumNonNulls(*SUBJECT_FIELDS), 1),
                name="claim_exactly_one_subject",
                violation_error_message="A claim is about exactly one event, actor, relation or place.",
            ),
            models.CheckConstraint(
                condition=models.lookups.Exact(NumNonNulls(*CLAIMANT_FIELDS), 1),
                name="claim_exactly_one_claimant",
                violation_error_message="A claim has exactly one claimant: an actor or an outlet.",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=NUMERIC_KINDS)
                | Q(value_low__isnull=False)
                | Q(value_best__isnull=False)
                | Q(value_high__isnull=False),
                name="claim_numeric_kind_has_value",
                violation_error_message="A numeric claim needs at least one of low, best or high.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(value_low__isnull=True)
                    | Q(value_best__isnull=True)
                    | Q(value_low__lte=F("value_best"))
                )
                & (
                    Q(value_best__isnull=True)
                    | Q(value_high__isnull=True)
                    | Q(value_best__lte=F("value_high"))
                )
                & (
                    Q(value_low__isnull=True)
                    | Q(value_high__isnull=True)
                    | Q(value_low__lte=F("value_high"))
                ),
                name="claim_low_best_high_ordered",
                violation_error_message="Figures must be ordered low ≤ best ≤ high.",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=ACTOR_VALUE_KINDS) | Q(value_actor__isnull=False),
                name="claim_perpetrator_names_actor",
                violation_error_message="A perpetrator claim names the actor it blames.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ClaimStatus.DEPRECATED) | ~Q(deprecation_reason=""),
                name="claim_deprecation_has_reason",
                violation_error_message="Say why the claim is deprecated.",
            ),
            models.CheckConstraint(
                condition=Q(credibility__gte=1, credibility__lte=6), name="claim_credibility_1_6"
            ),
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(is_preferred=True),
                name="claim_one_preferred_per_event",
                violation_error_message="Another claim is already the preferred figure for this event.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claimant}: {self.get_kind_display()} ({self.subject})"

    def get_absolute_url(self) -> str:
        # A claim about a relation between actors is shown on its subject actor's page.
        subject = self.actor_relation.subject if self.actor_relation else self.subject
        if subject is None or isinstance(subject, ActorRelation):
            return ""
        return f"{subject.get_absolute_url()}#claim-{self.uuid}"

    @property
    def subject(self) -> Event | Actor | ActorRelation | Location | None:
        return self.event or self.actor or self.actor_relation or self.location

    @property
    def claimant(self) -> Actor | Outlet | None:
        return self.claimant_actor or self.claimant_outlet

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def why_not_public(self) -> list[str]:
        """What must happen before readers can open this claim, in words, for staff (the
        database's ``ckb_claim_is_public`` decides; this names each condition it lacks).
        Reads the claim's claimant, document and outlet, loaded by ``cited_for``."""
        waiting = []
        if self.status == ClaimStatus.NEEDS_WORK:
            waiting.append("its work is done (it needs work)")
        elif self.status == ClaimStatus.DEPRECATED:
            waiting.append("a reviewer restores it (it is deprecated)")
        document = self.document
        if not document.is_published:
            waiting.append(f"its document “{document.title}” is published")
        if not document.outlet.is_published:
            waiting.append(f"the outlet “{document.outlet.name}” is published")
        claimant = self.claimant
        if claimant is not None and not claimant.is_published:
            waiting.append(f"its claimant “{claimant}” is published")
        return waiting

    def clean(self) -> None:
        errors: dict[str, str] = {}
        subjects = [name for name in SUBJECT_FIELDS if getattr(self, f"{name}_id") is not None]
        if len(subjects) != 1:
            errors["event"] = (
                "Choose what the claim is about: exactly one event, actor, relation or place"
                + (f" (now {len(subjects)})." if subjects else ".")
            )
        claimants = [name for name in CLAIMANT_FIELDS if getattr(self, f"{name}_id") is not None]
        if len(claimants) != 1:
            errors["claimant_actor"] = (
                "Choose who makes the claim: an actor or an outlet, not both."
                if claimants
                else "Choose who makes the claim: an actor or an outlet."
            )
        values = {
            "value_low": self.value_low,
            "value_best": self.value_best,
            "value_high": self.value_high,
        }
        if self.kind in NUMERIC_KINDS and all(v is None for v in values.values()):
            errors["value_best"] = f"A {self.get_kind_display().lower()} claim needs a figure."
        low, best, high = self.value_low, self.value_best, self.value_high
        if low is not None and best is not None and low > best:
            errors["value_low"] = f"Low ({low}) cannot be above best ({best})."
        if best is not None and high is not None and best > high:
            errors["value_high"] = f"High ({high}) cannot be below best ({best})."
        elif low is not None and high is not None and low > high:
            errors["value_high"] = f"High ({high}) cannot be below low ({low})."
        if self.kind in ACTOR_VALUE_KINDS and self.value_actor_id is None:
            errors["value_actor"] = "Name the actor this claim blames."
        if self.status == ClaimStatus.DEPRECATED and not self.deprecation_reason.strip():
            errors["deprecation_reason"] = "Say why the claim is deprecated; it stays in history."
        if self.is_preferred and self.event_id is None:
            errors["is_preferred"] = "Only a claim about an event can be its preferred figure."
        if errors:
            raise ValidationError(errors)
