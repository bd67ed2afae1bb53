"""Actors — states, armed groups, ministries, monitors, people — with their names and relations over time."""

from __future__ import annotations

import re
from typing import Self

import pgtrigger
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse

from core import sql_files
from core.audit import audited
from core.models import (
    Publication,
    PublicRecord,
    Publishable,
    PublishableQuerySet,
    ReadersQuerySet,
    equality_index,
)

# Similarity above which a new name is reported as a possible duplicate of an existing one.
DUPLICATE_NAME_SIMILARITY = 0.5
# Looser for the site search: "Tahrir al Sham" should find "Hay'at Tahrir al-Sham".
SEARCH_NAME_SIMILARITY = 0.4
SHORT_NAME_LENGTH = 4


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    STATE_FORCES = "state_forces", "State forces"
    GOVERNMENT_BODY = "government_body", "Government body"
    REBEL_GROUP = "rebel_group", "Rebel group"
    JIHADIST_GROUP = "jihadist_group", "Jihadist group"
    ALLIANCE = "alliance", "Alliance"
    MILITIA = "militia", "Militia"
    INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
    NGO = "ngo", "NGO / monitor"
    MEDIA = "media", "Media"
    PERSON = "person", "Person"
    CIVILIANS = "civilians", "Civilians"


class AcledActorType(models.IntegerChoices):
    """ACLED's inter codes, used for export."""

    STATE_FORCES = 1, "1 · State forces"
    REBEL_GROUPS = 2, "2 · Rebel groups"
    POLITICAL_MILITIAS = 3, "3 · Political militias"
    IDENTITY_MILITIAS = 4, "4 · Identity militias"
    RIOTERS = 5, "5 · Rioters"
    PROTESTERS = 6, "6 · Protesters"
    CIVILIANS = 7, "7 · Civilians"
    EXTERNAL_OTHER = 8, "8 · External/other forces"


class ActorQuerySet(PublishableQuerySet):
    def matching_name(self, text: str) -> Self:
        """Actors whose name or any alias, abbreviation or former name contains ``text``."""
        return self.filter(Q(name__icontains=text) | Q(names__name__icontains=text)).distinct()

    def answering_to(self, text: str) -> Self:
        """Actors with a name, alias, abbreviation or former name in which ``text`` starts a word.

        Case-insensitive; "HTS" finds Tahrir al-Sham (not "Human Rights"), "nusra" finds it by its
        former name. One semi-join; PostgreSQL regex matches can use the trigram indexes.
        """
        pattern = r"\m" + re.escape(text.strip())
        # One UNION of the two name matches: an OR of them is estimated at half of all actors,
        # and the planner then scans every participation and event.
        ids = (
            Actor.objects.filter(name__iregex=pattern)
            .values("pk")
            .union(ActorName.objects.filter(name__iregex=pattern).values("actor_id"))
        )
        return self.filter(pk__in=ids)

    def for_detail(self, user: object = None) -> Self:
        """The actor page in 4 queries: the actor, its names, and its relations each way with
        the actor at the other end (draft actors at the other end only for staff)."""
        others = (
            Actor.objects.all() if getattr(user, "is_staff", False) else Actor.objects.published()
        )
        return self.prefetch_related(
            "names",
            models.Prefetch(
                "relations_as_subject",
                queryset=ActorRelation.objects.filter(object__in=others).select_related("object"),
            ),
            models.Prefetch(
                "relations_as_object",
                queryset=ActorRelation.objects.filter(subject__in=others).select_related("subject"),
            ),
        )

    def search(self, text: str) -> Self:
        """Actors for the site search: a word of any name starts with ``text`` ("HTS",
        "Nusra"), or a name is close to it ("Tahrir al Sham"); closest first."""
        # Short texts are abbreviations: trigram similarity would find "HTS" in "Rights".
        threshold = SEARCH_NAME_SIMILARITY if len(text) > SHORT_NAME_LENGTH else 1.0
        return self.similar_to(text, threshold=0).filter(
            Q(similarity__gte=threshold) | Q(pk__in=Actor.objects.answering_to(text).values("pk"))
        )

    def similar_to(self, text: str, *, threshold: float = DUPLICATE_NAME_SIMILARITY) -> Self:
        """Actors whose name or any alias is close to ``text`` (trigram word similarity), closest first."""
        alias_similarity = (
            ActorName.objects.filter(actor=models.OuterRef("pk"))
            .annotate(similarity=TrigramWordSimilarity(text, "name"))
            .order_by("-similarity")
            .values("similarity")[:1]
        )
        return (
            self.annotate(
                similarity=Greatest(
                    TrigramWordSimilarity(text, "name"),
                    Coalesce(models.Subquery(alias_similarity), 0.0),
                    output_field=models.FloatField(),
                )
            )
            .filter(similarity__gte=threshold)
            .order_by("-similarity", "name")
        )


# Why the trigger is there: in the file, above its body.
ACTOR_TRIGGERS = sql_files.statements("actors", "actor_triggers.sql")


@audited()
class Actor(Publishable):
    name = models.CharField(
        max_length=200,
        help_text="The name this actor is best known by today. Renamed, it keeps the old name "
        "among its other names (“former name”).",
    )
    kind = models.CharField(max_length=30, choices=ActorKind.choices, db_index=True)
    acled_type = models.PositiveSmallIntegerField(
        "ACLED actor type", choices=AcledActorType.choices, null=True, blank=True
    )
    country_code = models.CharField(
        "country", max_length=2, blank=True, db_index=True, help_text="ISO 3166-1 alpha-2, e.g. SY."
    )
    description = models.TextField(blank=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("publish_actor", "Can publish actors")]
        indexes = [
            equality_index("actor_status", "status"),
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="actor_name_trgm"),
            # The events "words" filter matches names as whole words ("simple" configuration).
            GinIndex(SearchVector("name", config="simple"), name="actor_name_words"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(country_code="") | Q(country_code__regex=r"^[A-Z]{2}$"),
                name="actor_country_code_iso",
                violation_error_message="Country must be a two-letter ISO 3166 code such as SY.",
            ),
            models.CheckConstraint(
                condition=Q(acled_type__isnull=True) | Q(acled_type__gte=1, acled_type__lte=8),
                name="actor_acled_type_1_8",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="actor_keep_old_name",
                when=pgtrigger.After,
                operation=pgtrigger.UpdateOf("name"),
                timing=pgtrigger.Deferred,
                condition=pgtrigger.Q(old__name__df=pgtrigger.F("new__name")),
                func=pgtrigger.Func(ACTOR_TRIGGERS["keep_old_name"]),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actors:detail", kwargs={"uuid": self.uuid})

    def clean(self) -> None:
        self.country_code = self.country_code.upper()
        if self.country_code and not (len(self.country_code) == 2 and self.country_code.isalpha()):
            raise ValidationError(
                {"country_code": "Use a two-letter ISO 3166 code such as SY for Syria."}
            )


class NameKind(models.TextChoices):
    OFFICIAL = "official", "Official name"
    SHORT = "short", "Short name"
    ABBREVIATION = "abbreviation", "Abbreviation"
    FORMER = "former", "Former name"
    TRANSLITERATION = "transliteration", "Transliteration"
    TRANSLATION = "translation", "Translation"


@audited()
class ActorName(models.Model):
    """Another name of an actor: an alias, an abbreviation, a former name, a spelling in another script."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=NameKind.choices, default=NameKind.OFFICIAL)
    language = models.CharField(max_length=12, blank=True, help_text="BCP 47 tag, e.g. en, ar.")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = [F("valid_from").asc(nulls_first=True), "name"]
        indexes = [
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="actorname_name_trgm"),
            # The events "words" filter matches names as whole words ("simple" configuration).
            GinIndex(SearchVector("name", config="simple"), name="actorname_name_words"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["actor", "name", "kind"], name="actorname_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="actorname_valid_to_after_from",
                violation_error_message="A name cannot stop being used before it started.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()})"

    def clean(self) -> None:
        validate_period(self.valid_from, self.valid_to)


class RelationKind(models.TextChoices):
    MEMBER_OF = "member_of", "member of"
    PART_OF = "part_of", "part of"
    ALLIED_WITH = "allied_with", "allied with"
    BACKS = "backs", "backs"
    OPPOSES = "opposes", "opposes"
    DESIGNATES_TERRORIST = "designates_terrorist", "designates as terrorist"
    RENAMED_TO = "renamed_to", "renamed to"
    MERGED_INTO = "merged_into", "merged into"
    SPLINTER_OF = "splinter_of", "splinter of"
    LEADS = "leads", "leads"


# How a relation reads from its object's side: Turkey *designates as terrorist* HTS, so on
# HTS's page it is "designated as terrorist by" Turkey.
INVERSE_RELATION_LABELS = {
    RelationKind.MEMBER_OF: "has as member",
    RelationKind.PART_OF: "includes",
    RelationKind.ALLIED_WITH: "allied with",
    RelationKind.BACKS: "backed by",
    RelationKind.OPPOSES: "opposed by",
    RelationKind.DESIGNATES_TERRORIST: "designated as terrorist by",
    RelationKind.RENAMED_TO: "renamed from",
    RelationKind.MERGED_INTO: "absorbed",
    RelationKind.SPLINTER_OF: "has as splinter group",
    RelationKind.LEADS: "led by",
}


class ActorRelationQuerySet(ReadersQuerySet):
    def published(self) -> Self:
        """Relations whose both ends are published."""
        return self.filter(
            subject__status=Publication.PUBLISHED, object__status=Publication.PUBLISHED
        )


@audited()
class ActorRelation(PublicRecord):
    """A dated relation: HTS *is designated as terrorist by* Turkey, Russia *backs* Syria…"""

    subject = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="relations_as_subject"
    )
    kind = models.CharField(max_length=30, choices=RelationKind.choices, db_index=True)
    object = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="relations_as_object")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = ActorRelationQuerySet.as_manager()

    class Meta:
        ordering = [F("valid_from").asc(nulls_first=True), "kind"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(subject=F("object")),
                name="actorrelation_not_reflexive",
                violation_error_message="An actor cannot be related to itself.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="actorrelation_valid_to_after_from",
                violation_error_message="A relation cannot end before it started.",
            ),
            models.UniqueConstraint(
                fields=["subject", "kind", "object", "valid_from"],
                nulls_distinct=False,
                name="actorrelation_unique",
                violation_error_message="This relation is already recorded for that start date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_kind_display()} {self.object}"

    @property
    def inverse_kind_display(self) -> str:
        """The relation read from the object's side ("designated as terrorist by")."""
        return INVERSE_RELATION_LABELS.get(self.kind, self.get_kind_display())  # type: ignore[call-overload]

    def clean(self) -> None:
        validate_period(self.valid_from, self.valid_to)
        if self.subject_id and self.subject_id == self.object_id:
            raise ValidationError({"object": "An actor cannot be related to itself."})


def validate_period(valid_from: object, valid_to: object) -> None:
    """Field-level message for the "valid_to ≥ valid_from" constraints."""
    if valid_from and valid_to and valid_to < valid_from:  # type: ignore[operator]
        raise ValidationError({"valid_to": "The end date must be on or after the start date."})
