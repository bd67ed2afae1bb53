"""Places, the event-type taxonomy, events and who took part in them."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Self, TypeVar

import pgtrigger
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField, DateRangeField
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Cast, Coalesce, Greatest, Upper
from django.db.models.lookups import StartsWith
from django.urls import reverse
from psycopg import sql

from actors.models import DUPLICATE_NAME_SIMILARITY, SEARCH_NAME_SIMILARITY, Actor, ActorName
from core import sql_files
from core.audit import audited
from core.models import (
    Publication,
    Publishable,
    PublishableQuerySet,
    ReadersQuerySet,
    equality_index,
    sees_drafts,
)

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

T = TypeVar("T")


class ReturnedCharField(models.CharField):
    """A column the database fills in (by trigger); its value comes back from every INSERT."""

    db_returning = True


def claim_queryset() -> Any:
    """All claims. sources depends on events, not the reverse, so Claim is looked up here."""
    return apps.get_model("sources", "Claim")._default_manager.all()


class OneOf(models.Func):
    """``column = ANY(ARRAY(ids))``: the ids are computed once, so the test is an index
    condition on ``column`` (several of them OR a bitmap each), where ``column IN (ids)`` under
    an OR is a filter tried on every row."""

    arity = 2
    output_field = models.BooleanField()

    def __init__(self, column: str, ids: models.QuerySet[Any]) -> None:
        # No ORDER BY: the order of the ids does not matter.
        super().__init__(F(column), ArraySubquery(ids.order_by()))

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, Any]:
        column, array = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        array_sql, array_params = compiler.compile(array)
        return f"{column_sql} = ANY({array_sql})", (*column_params, *array_params)


# --- Places ---------------------------------------------------------------------------------


class LocationKind(models.TextChoices):
    COUNTRY = "country", "Country"
    ADMIN1 = "admin1", "Admin 1 (governorate, province)"
    ADMIN2 = "admin2", "Admin 2 (district)"
    ADMIN3 = "admin3", "Admin 3 (sub-district)"
    TOWN = "town", "Town or village"
    SITE = "site", "Site"


class LocationQuerySet(PublishableQuerySet):
    def within(self, place: Location) -> Self:
        """``place`` and everything inside it: one indexed prefix match on the materialised path."""
        return self.filter(path__startswith=place.path)

    def matching_name(self, text: str) -> Self:
        """Places whose name or an alternate spelling contains ``text``."""
        return self.filter(search_names__icontains=text)

    def for_detail(self, user: object = None) -> Self:
        """The place page in 3 queries: the place (parent joined), the places directly inside
        it, and the claims about it (population, displaced, refugees, statements)."""
        staff = getattr(user, "is_staff", False)
        children = Location.objects.all() if staff else Location.objects.published()
        claims = claim_queryset()
        if not staff:
            claims = claims.published()
        return self.select_related("parent").prefetch_related(
            models.Prefetch("children", queryset=children.order_by("name")),
            models.Prefetch(
                "claims",
                queryset=claims.select_related(
                    "claimant_actor", "claimant_outlet", "document__outlet"
                ).order_by("kind", "-document__published_on", "pk"),
            ),
        )

    def similar_to(self, text: str, *, threshold: float = DUPLICATE_NAME_SIMILARITY) -> Self:
        """Places whose name or an alternate spelling is close to ``text``, closest first."""
        return (
            self.annotate(similarity=TrigramWordSimilarity(text, "search_names"))
            .filter(similarity__gte=threshold)
            .order_by("-similarity", "name")
        )

    def search(self, text: str) -> Self:
        """Places for the site search: close to any spelling ("Idleb" finds Idlib), or
        containing ``text``; closest first."""
        return self.similar_to(text, threshold=0).filter(
            Q(similarity__gte=SEARCH_NAME_SIMILARITY) | Q(search_names__icontains=text)
        )


class JoinNames(models.Func):
    """``ckb_join_names(name, alternates)``: an IMMUTABLE SQL function
    (events/sql/location_names.sql), so the joined names can be a generated, trigram-indexed
    column."""

    function = "ckb_join_names"
    output_field = models.TextField()


# Why each trigger is there: in the file, above its body.
LOCATION_TRIGGERS = sql_files.statements("events", "location_triggers.sql")


@audited(exclude=["search_names"])
class Location(Publishable):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=LocationKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = ReturnedCharField(max_length=400, editable=False, default="", db_index=True)
    country_code = models.CharField(
        "country", max_length=2, blank=True, db_index=True, help_text="ISO 3166-1 alpha-2, e.g. SY."
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    alternate_names = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="Other spellings and scripts, comma-separated: Idleb, إدلب. A renamed place "
        "keeps its old name here.",
    )
    # "Idlib | Idleb | إدلب": what name searches and duplicate checks match against.
    search_names = models.GeneratedField(
        expression=JoinNames("name", "alternate_names"),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = LocationQuerySet.as_manager()

    if TYPE_CHECKING:
        children: RelatedManager[Location]

    class Meta:
        ordering = ["path"]
        permissions = [("publish_location", "Can publish places")]
        indexes = [
            equality_index("location_status", "status"),
            GinIndex(
                fields=["search_names"], opclasses=["gin_trgm_ops"], name="location_names_trgm"
            ),
            GinIndex(fields=["alternate_names"], name="location_alt_names"),
            # The events "words" filter matches names as whole words ("simple" configuration).
            GinIndex(SearchVector("search_names", config="simple"), name="location_names_words"),
            models.Index(fields=["latitude", "longitude"], name="location_lat_lon"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
                violation_error_message="Latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
                violation_error_message="Longitude must be between -180 and 180.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="location_lat_lon_together",
                violation_error_message="Give both latitude and longitude, or neither.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="location_not_own_parent",
                violation_error_message="A place cannot be inside itself.",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="location_set_path",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=pgtrigger.Func(LOCATION_TRIGGERS["set_path"]),
            ),
            pgtrigger.Trigger(
                name="location_move_subtree",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__path__df=pgtrigger.F("new__path")),
                func=pgtrigger.Func(LOCATION_TRIGGERS["move_subtree"]),
            ),
            pgtrigger.Trigger(
                name="location_keep_old_name",
                when=pgtrigger.Before,
                operation=pgtrigger.UpdateOf("name"),
                condition=pgtrigger.Q(old__name__df=pgtrigger.F("new__name")),
                func=pgtrigger.Func(LOCATION_TRIGGERS["keep_old_name"]),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:place", kwargs={"uuid": self.uuid})

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the country down to the parent, read off the path (no query)."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = "Latitude must be between -90 and 90."
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = "Longitude must be between -180 and 180."
        if (self.latitude is None) != (self.longitude is None) and not errors:
            missing = "latitude" if self.latitude is None else "longitude"
            errors[missing] = "Give both latitude and longitude, or neither."
        if (
            self.pk
            and self.parent is not None
            and (self.parent.pk == self.pk or f"/{self.pk}/" in self.parent.path)
        ):
            errors["parent"] = (
                f"“{self.parent}” is inside “{self}”: a place cannot be its own ancestor."
            )
        if errors:
            raise ValidationError(errors)


class DateSpan(models.Func):
    """``daterange(start_date, end_date, '[]')``: an event's days as one range, GiST-indexed, so
    "events overlapping these dates" is one index search (two B-tree bounds each match about
    half of all events)."""

    function = "daterange"
    template = "%(function)s(%(expressions)s, '[]')"
    output_field = DateRangeField()


# --- Event types ----------------------------------------------------------------------------


class DisorderType(models.TextChoices):
    POLITICAL_VIOLENCE = "Political violence", "Political violence"
    DEMONSTRATIONS = "Demonstrations", "Demonstrations"
    STRATEGIC_DEVELOPMENTS = "Strategic developments", "Strategic developments"


class EventTypeManager(models.Manager["EventType"]):
    def get_queryset(self) -> models.QuerySet[EventType]:
        # A type's name includes its parent's ("Explosions › Air strike"); the vocabulary is
        # small, so always join the parent rather than query it per type in every list.
        return super().get_queryset().select_related("parent")

    def get_by_natural_key(self, slug: str) -> EventType:
        return self.get(slug=slug)


@audited()
class EventType(models.Model):
    """Two-level taxonomy: ACLED's event types and sub-event types, plus this domain's own."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subtypes"
    )
    description = models.TextField(blank=True)
    is_acled = models.BooleanField("ACLED type", default=True)
    disorder_type = models.CharField(max_length=30, choices=DisorderType.choices, blank=True)
    # Where a type is not ACLED's own, the ACLED type and sub-type it is exported as.
    acled_event_type = models.CharField(max_length=100, blank=True)
    acled_sub_event_type = models.CharField(max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = EventTypeManager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="eventtype_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def clean(self) -> None:
        if self.parent is not None and self.parent.parent_id is not None:
            raise ValidationError({"parent": "Event types have two levels: pick a top-level type."})


# --- Events ---------------------------------------------------------------------------------


class DatePrecision(models.IntegerChoices):
    """UCDP GED's date_prec; ``acled()`` maps it to ACLED's time_precision 1–3."""

    DAY = 1, "Exact day"
    DAYS = 2, "Within 2–6 days"
    WEEK = 3, "Week"
    MONTH = 4, "Month"
    YEAR = 5, "Year"

    def acled(self) -> int:
        """ACLED's time_precision: 1 the day, 2 the week, 3 the month (years too)."""
        return {1: 1, 2: 2, 3: 2}.get(self.value, 3)


class GeoPrecision(models.IntegerChoices):
    """UCDP GED's where_prec; ``acled()`` maps it to ACLED's geo_precision 1–3."""

    EXACT = 1, "Exact place"
    NEAR = 2, "Within about 25 km"
    ADMIN2 = 3, "District (admin 2)"
    ADMIN1 = 4, "Governorate or province (admin 1)"
    AMBIGUOUS = 5, "Linear feature or ambiguous"
    COUNTRY = 6, "Country"
    INTERNATIONAL = 7, "International waters or airspace"

    def acled(self) -> int:
        return {1: 1, 2: 2, 3: 2}.get(self.value, 3)


class FatalityRule(models.TextChoices):
    RANGE = "range", "Range across accepted claims"
    CONSERVATIVE = "conservative", "Most conservative claim (ACLED)"
    PREFERRED = "preferred", "Preferred claim"


class EventQuerySet(PublishableQuerySet):
    def in_place(self, place: Location) -> Self:
        """Events at ``place`` or anywhere inside it."""
        return self.filter(location__path__startswith=place.path)

    def involving(self, actor: Actor) -> Self:
        return self.filter(participations__actor=actor).distinct()

    def contested(self) -> Self:
        return self.filter(contested=True)

    def absorbing(self, absorbed: object) -> Self:
        """The event into which the event of this uuid was merged (EventMerge), if any."""
        try:
            key = uuid.UUID(str(absorbed))
        except ValueError:
            return self.none()
        return self.filter(absorbed__absorbed_uuid=key)

    def for_list(self, user: object = None) -> Self:
        """What a list row shows: type and its parent, place and its region, actors by role.

        2 queries: the events (with type, parent type, place, parent place joined) and their
        participations with actors. Draft actors are left out unless ``user`` is staff; a
        draft place is absent for readers, and staff see staff's figures (``as_seen_by``).
        """
        return (
            self.select_related("event_type__parent", "location__parent")
            .prefetch_related(
                models.Prefetch("participations", queryset=listed_participations(user))
            )
            .as_seen_by(user)
        )

    def for_detail(self, user: object = None) -> Self:
        """Everything the event page shows, in 6 queries whatever the event's size.

        The event (type, parent type, place, parent place, parent event joined); its
        participations with actors; its child events; its relations each way with the other
        event; its claims with claimant, document, outlet and named actor. Drafts (actors,
        events, claims readers cannot open) only for staff; for readers a draft linked to the
        event (its place, its parent, an actor a claim names) is absent.
        """
        claims = claim_queryset().visible_to(user)
        events = Event.objects.visible_to(user)
        return (
            self.for_list(user)
            .select_related("parent")
            .prefetch_related(
                models.Prefetch(
                    "children",
                    queryset=events.select_related("event_type").order_by("start_date", "pk"),
                ),
                models.Prefetch(
                    "relations_from",
                    queryset=EventRelation.objects.filter(to_event__in=events).select_related(
                        "to_event"
                    ),
                ),
                models.Prefetch(
                    "relations_to",
                    queryset=EventRelation.objects.filter(from_event__in=events).select_related(
                        "from_event"
                    ),
                ),
                models.Prefetch(
                    "claims",
                    queryset=claims.cited_for(user).order_by("kind", "stance", "credibility", "pk"),
                ),
            )
        )

    def located(self, user: object = None) -> Self:
        """Events whose place, as ``user`` may see it, has coordinates: a reader's map and
        GeoJSON never place an event by a draft place."""
        located = self.filter(location__latitude__isnull=False)
        if sees_drafts(user):
            return located
        return located.filter(location__status=Publication.PUBLISHED)

    def for_map(self, user: object = None) -> Self:
        """Only what a marker needs: one query, events without (visible) coordinates left out."""
        return (
            self.located(user)
            .select_related("location", "event_type")
            .as_seen_by(user)
            .only(
                "uuid",
                "title",
                "start_date",
                "end_date",
                "date_precision",
                "geo_precision",
                "contested",
                "fatalities_low",
                "fatalities_best",
                "fatalities_high",
                "staff_contested",
                "staff_fatalities_low",
                "staff_fatalities_best",
                "staff_fatalities_high",
                "location__name",
                "location__status",
                "location__latitude",
                "location__longitude",
                "event_type__name",
            )
        )

    def matching_words(self, text: str, *, with_drafts: bool = False) -> Self:
        """Events whose words match ``text`` (web-search syntax), best first, as ``search_rank``.

        Matches the event's title and summary (ranked), the quotes of its claims, the names of
        its actors (any alias or former name) and the names of its place or any place around it.
        Names use the "simple" configuration: proper nouns are neither stemmed nor stop words.
        """
        words = SearchQuery(text, search_type="websearch", config="english")
        names = SearchQuery(text, search_type="websearch", config="simple")
        # sources depends on events, not the reverse: reach Claim through its relation.
        claims = claim_queryset().filter(search_vector=words, event__isnull=False)
        if not with_drafts:
            claims = claims.public()
        actors = Actor.objects.all() if with_drafts else Actor.objects.published()
        named_actors = actors.annotate(words=SearchVector("name", config="simple")).filter(
            words=names
        )
        otherwise_named_actors = actors.filter(
            pk__in=ActorName.objects.annotate(words=SearchVector("name", config="simple"))
            .filter(words=names)
            .values("actor_id")
        )
        places = Location.objects.all() if with_drafts else Location.objects.published()
        named_places = places.annotate(words=SearchVector("search_names", config="simple")).filter(
            words=names
        )
        # The event's place is a named place or inside one (its path starts with the named
        # place's), whatever the status of the event's place itself.
        inside_named_places = Location.objects.filter(
            Exists(
                named_places.filter(
                    StartsWith(Cast(OuterRef("path"), models.CharField()), F("path"))
                )
            )
        ).values("pk")
        # The ids each match finds through its own index (event_search, claim_search,
        # actor_name_words, actorname_name_words, location_names_words), unordered (a model's
        # default ordering would sort each for nothing).
        by_quote, by_actor_name, by_other_name = (
            part.order_by().values("event_id")
            for part in (
                claims,
                Participation.objects.filter(actor__in=named_actors),
                Participation.objects.filter(actor__in=otherwise_named_actors),
            )
        )
        matching = (
            Event.objects.filter(search_vector=words)
            .order_by()
            .values("pk")
            .union(
                by_quote,
                by_actor_name,
                by_other_name,
                Event.objects.filter(location__in=inside_named_places).order_by().values("pk"),
                all=True,
            )
        )
        # Two shapes, chosen by counting the matches up to a bound (few_matches):
        # - few matches: one semi-join on the union of the ids. Every match is read, each
        #   through an index; the rest of the events never are (50 ms for a rare word at a
        #   million events, where testing every event takes 4 s).
        # - many: an OR of the event's own words and hashed id sets, tested row by row as the
        #   timeline index is walked, so a page stops after its fifty (1 s for a word in half
        #   the events, where reading every match first takes 8 s).
        # A page reads about N rows one way and 50 × events / N the other: the first shape
        # while N² < 50 × events. (An OR of id arrays, = ANY(ARRAY(…)), fits the indexes but
        # compares every id of an array for each row: 19 s for a common word.)
        if few_matches(matching):
            found = self.filter(pk__in=matching)
        else:
            found = self.filter(
                Q(search_vector=words)
                | Q(pk__in=by_quote)
                | Q(pk__in=by_actor_name)
                | Q(pk__in=by_other_name)
                | Q(location__in=inside_named_places)
            )
        if not with_drafts:
            found = found.filter(status=Publication.PUBLISHED)
        return found.annotate(search_rank=SearchRank(F("search_vector"), words)).order_by(
            "-search_rank", "-start_date", "-id"
        )


def listed_participations(user: object = None) -> models.QuerySet[Participation]:
    """Participations as lists show them: with their actor, by role then name; draft actors
    only for staff."""
    participations = Participation.objects.select_related("actor").order_by("role", "actor__name")
    if not getattr(user, "is_staff", False):
        participations = participations.filter(actor__status=Publication.PUBLISHED)
    return participations


def group_by_event(pairs: Iterable[tuple[int, T]]) -> defaultdict[int, list[T]]:
    """(event id, row) pairs as lists by event id; an event without rows gets an empty list.

    How exports read related rows: one query per chunk of events, grouped here.
    ``prefetch_related`` builds a queryset per event to hold its rows, which took most of the
    time of a 100,000-row export.
    """
    grouped: defaultdict[int, list[T]] = defaultdict(list)
    for event_id, row in pairs:
        grouped[event_id].append(row)
    return grouped


def participations_by_event(
    events: list[Event], user: object = None
) -> defaultdict[int, list[Participation]]:
    """``listed_participations`` of ``events`` by event id, from one query."""
    participations = listed_participations(user).filter(event__in=[e.pk for e in events])
    return group_by_event(
        (participation.event_id, participation) for participation in participations
    )


def attach_ancestors(places: Iterable[Location | None], user: Any) -> None:
    """Give each place ``api_ancestors`` (country first) with one query for all of them."""
    present = [place for place in places if place is not None]
    wanted = {ancestor for place in present for ancestor in place.ancestor_ids}
    found = (
        {
            place.pk: place
            for place in Location.objects.visible_to(user)
            .filter(pk__in=wanted)
            .only("uuid", "name", "kind", "path", "country_code", "status")
        }
        if wanted
        else {}
    )
    for place in present:
        place.api_ancestors = [found[pk] for pk in place.ancestor_ids if pk in found]  # type: ignore[attr-defined]


# The rows a page of matches shows, for choosing the shape of the words filter.
WORDS_PAGE = 50
FEW_MATCHES = sql.SQL(
    "WITH size AS (SELECT ceil(sqrt(%s * greatest(reltuples, 1)))::bigint AS few"
    " FROM pg_class WHERE oid = %s::regclass)"
    " SELECT (SELECT count(*) FROM (SELECT 1 FROM ({ids}) AS ids LIMIT (SELECT few FROM size)) c)"
    " < (SELECT few FROM size)"
)


def few_matches(ids: models.QuerySet[Any], page: int = WORDS_PAGE) -> bool:
    """Whether ``ids`` has fewer than √(page × events) rows, counted up to that many: then
    reading them all and sorting them costs less than walking the events in order until a
    page of them is found (page ÷ their share of the events).

    The count stops there, so it costs little whatever the answer. (The planner's estimate
    would cost nothing but is no guide for rare words: a word missing from its statistics is
    assumed in almost 1 % of rows, 17,000 at a million events, where it may be in 30.)
    """
    ids_sql, params = ids.query.sql_with_params()  # the ORM's SQL, its values passed apart
    with connection.cursor() as cursor:
        cursor.execute(
            FEW_MATCHES.format(ids=sql.SQL(ids_sql)).as_string(),
            (page, Event._meta.db_table, *params),
        )
        return bool(cursor.fetchone()[0])


def date_out_of_range(day: datetime.date | None) -> str | None:
    """Why an event date cannot be right (a typo: 2100, 0001-01-01), or None. The range is
    the settings' EVENT_DATES_FROM to EVENT_DATES_AHEAD_DAYS after today; the admin, the API
    and the importers all ask here."""
    if day is None:
        return None
    earliest = settings.EVENT_DATES_FROM
    latest = datetime.date.today() + datetime.timedelta(days=settings.EVENT_DATES_AHEAD_DAYS)
    if earliest <= day <= latest:
        return None
    return f"{day.isoformat()} is outside the dates events can have ({earliest.isoformat()} to {latest.isoformat()})."


# What the database derives from an event's claims (sources/sql/fatality_rule.sql), never
# typed in.
# The plain names are the readers' figures, from the claims a reader can open; the staff_
# twins count every claim that is not deprecated, drafts and claims needing work included.
READERS_FIGURES = (
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "contested",
    "claim_count",
    "source_count",
)
STAFF_FIGURES = tuple(f"staff_{name}" for name in READERS_FIGURES)
# With when the evidence readers can open last changed (ACLED's timestamp).
DERIVED_FROM_CLAIMS = (*READERS_FIGURES, *STAFF_FIGURES, "evidence_changed_at")


class Figures(NamedTuple):
    """One audience's figures of an event, in READERS_FIGURES order."""

    fatalities_low: int | None
    fatalities_best: int | None
    fatalities_high: int | None
    contested: bool
    claim_count: int
    source_count: int


def last_change() -> Greatest:
    """When the event or the evidence readers can open of it last changed: ACLED's
    ``timestamp``, filtered and written from this one expression (and its index,
    ``event_last_change``). PostgreSQL's GREATEST passes over a missing value."""
    return Greatest("updated_at", "evidence_changed_at")


# Derived columns change only as a consequence of an audited claim change.
@audited(exclude=["search_vector", "updated_at", *DERIVED_FROM_CLAIMS])
class Event(Publishable):
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="events")
    start_date = models.DateField()  # indexed by event_timeline, whose first column it is
    end_date = models.DateField(
        blank=True, db_index=True, help_text="Leave empty for a one-day event."
    )
    date_precision = models.PositiveSmallIntegerField(
        choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    geo_precision = models.PositiveSmallIntegerField(
        choices=GeoPrecision.choices, default=GeoPrecision.EXACT
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text="The larger event this one is part of (an offensive contains strikes).",
    )
    acled_id = models.CharField("ACLED event_id_cnty", max_length=30, blank=True)
    ucdp_id = models.CharField("UCDP GED id", max_length=30, blank=True)

    # Derived from the claims by the database (sources/sql/fatality_rule.sql): never typed by
    # hand.
    fatality_rule = models.CharField(
        max_length=15, choices=FatalityRule.choices, default=FatalityRule.RANGE
    )
    # What readers see: from the claims they can open (Claim.is_public) only.
    fatalities_low = models.PositiveIntegerField(null=True, editable=False)
    fatalities_best = models.PositiveIntegerField(null=True, editable=False)
    fatalities_high = models.PositiveIntegerField(null=True, editable=False)
    contested = models.BooleanField(default=False, editable=False, db_index=True)
    claim_count = models.PositiveIntegerField(default=0, editable=False)
    source_count = models.PositiveIntegerField("independent sources", default=0, editable=False)
    # What staff see besides: every claim that is not deprecated, unpublished evidence included.
    staff_fatalities_low = models.PositiveIntegerField(null=True, editable=False)
    staff_fatalities_best = models.PositiveIntegerField(null=True, editable=False)
    staff_fatalities_high = models.PositiveIntegerField(null=True, editable=False)
    # The last change of a claim readers can open (sources/sql/fatality_rule.sql); with the
    # event's own, its last change (last_change).
    evidence_changed_at = models.DateTimeField(null=True, editable=False)
    # Database defaults, so that a raw INSERT need not name them (the trigger sets them).
    staff_contested = models.BooleanField(db_default=False, editable=False)
    staff_claim_count = models.PositiveIntegerField(db_default=0, editable=False)
    staff_source_count = models.PositiveIntegerField(
        "independent sources (staff)", db_default=0, editable=False
    )

    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        permissions = [("publish_event", "Can publish events")]
        indexes = [
            equality_index("event_status", "status"),
            GinIndex(fields=["search_vector"], name="event_search"),
            # Any text inside the description, as ACLED's API asks of ``notes`` (a LIKE, which
            # Django writes as UPPER(summary) LIKE UPPER('%…%')): the events holding the
            # text's trigrams, where without it every description is read.
            GinIndex(OpClass(Upper("summary"), name="gin_trgm_ops"), name="event_summary_trgm"),
            # Any text inside an ACLED id, as ACLED's API asks of event_id_cnty by default
            # (LIKE): "SYR9001" among a million ids without reading them all.
            GinIndex(OpClass(Upper("acled_id"), name="gin_trgm_ops"), name="event_acled_id_trgm"),
            # The events without an ACLED id, whose event_id_cnty is ConflictKB's own
            # ("SYRCKB1234"): a LIKE of a part of one reads the numbers holding its digits,
            # or (no digits: "CKB") only these events, never every event's id text.
            GinIndex(
                OpClass(Cast("id", models.TextField()), name="gin_trgm_ops"),
                condition=Q(acled_id=""),
                name="event_own_number_trgm",
            ),
            models.Index(fields=["-start_date", "-id"], condition=Q(acled_id=""), name="event_own"),
            GistIndex(DateSpan("start_date", "end_date"), name="event_span"),
            # With the status, readers' pages found by position (ACLED's ?page=) are read from
            # the index alone: skipping 495,000 events took 1.5 s through the table, 68 ms here.
            models.Index(fields=["-start_date", "-id"], name="event_timeline", include=["status"]),
            # ACLED's timestamp: "changed since", "changed before", "in that second" and the
            # seconds holding some digits, each a range of this index.
            models.Index(last_change(), name="event_last_change"),
            # "At least N killed" (min_fatalities) reads only the few events above N.
            models.Index(fields=["fatalities_high"], name="event_fatalities_high"),
            # ACLED's one figure, the lowest (api/acled.py ``fatalities``): "more than 50
            # killed" reads the few events above it.
            models.Index(
                Coalesce("fatalities_low", "fatalities_best", models.Value(0)),
                name="event_acled_fatalities",
            ),
            # ACLED's time_precision and geo_precision: the few events less precise than a
            # day or a point (a month: 2 % of them) without walking the timeline past the
            # rest. The usual precision is left out, so most events add no entry.
            models.Index(
                fields=["date_precision"],
                condition=~Q(date_precision=DatePrecision.DAY),
                name="event_imprecise_dates",
            ),
            models.Index(
                fields=["geo_precision"],
                condition=~Q(geo_precision=GeoPrecision.EXACT),
                name="event_imprecise_places",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="event_end_after_start",
                violation_error_message="The end date must be on or after the start date.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(fatalities_low__isnull=True)
                    | Q(fatalities_best__isnull=True)
                    | Q(fatalities_low__lte=F("fatalities_best"))
                )
                & (
                    Q(fatalities_best__isnull=True)
                    | Q(fatalities_high__isnull=True)
                    | Q(fatalities_best__lte=F("fatalities_high"))
                ),
                name="event_fatalities_ordered",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="event_not_own_parent"),
            models.UniqueConstraint(
                fields=["acled_id"],
                condition=~Q(acled_id=""),
                name="event_acled_id_unique",
                violation_error_message="Another event already has this ACLED id.",
            ),
            models.UniqueConstraint(
                fields=["ucdp_id"],
                condition=~Q(ucdp_id=""),
                name="event_ucdp_id_unique",
                violation_error_message="Another event already has this UCDP id.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"uuid": self.uuid})

    def clean(self) -> None:
        if self.start_date and not self.end_date:
            self.end_date = self.start_date
        errors: dict[str, str] = {}
        for name in ("start_date", "end_date"):
            if problem := date_out_of_range(getattr(self, name)):
                errors[name] = problem
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be on or after the start date."
        if self.pk and self.parent_id:
            ancestor: Event | None = self.parent
            for _ in range(50):  # event trees are shallow; stop on a corrupt chain
                if ancestor is None:
                    break
                if ancestor.pk == self.pk:
                    errors["parent"] = "An event cannot be part of itself or of its own parts."
                    break
                ancestor = ancestor.parent
        if errors:
            raise ValidationError(errors)

    def fatality_range(self) -> tuple[int | None, int | None, int | None]:
        return (self.fatalities_low, self.fatalities_best, self.fatalities_high)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving an event never writes its derived figures: the database keeps them (a copy
        loaded before a claim changed, or one showing staff's figures, would undo them)."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            deferred = {self._meta.get_field(name).name for name in self.get_deferred_fields()}
            kwargs["update_fields"] = [f for f in EDITABLE_EVENT_COLUMNS if f not in deferred]
        super().save(*args, **kwargs)

    def show_staff_figures(self) -> None:
        """Show, in the plain figure attributes, the figures staff see (every claim that is not
        deprecated); ``readers_figures`` keeps what readers see. Loading does this for staff
        (``as_seen_by``), so every page, export and API answer shows one set per audience."""
        if self.readers_figures is not None:
            return
        # Only what was loaded: an export loads a few figures (only()), and reading a deferred
        # one here would cost a query per event.
        loaded = self.__dict__
        self.readers_figures = Figures(*(loaded.get(name) for name in READERS_FIGURES))  # type: ignore[arg-type]
        for readers, staff in zip(READERS_FIGURES, STAFF_FIGURES, strict=True):
            if readers in loaded and staff in loaded:
                loaded[readers] = loaded[staff]

    # Set by show_staff_figures: the readers' figures while the plain ones are staff's.
    readers_figures: Figures | None = None

    @property
    def readers_see_other_figures(self) -> bool:
        """Shown to staff: unpublished or unfinished evidence moves their figures from the
        readers'."""
        loaded = self.__dict__
        return self.readers_figures is not None and self.readers_figures != Figures(
            *(loaded.get(name) for name in READERS_FIGURES)  # type: ignore[arg-type]
        )

    @property
    def claims_readers_cannot_open(self) -> int:
        if self.readers_figures is None:
            return 0
        return self.claim_count - self.readers_figures.claim_count

    @property
    def acled_geo_precision(self) -> int:
        return GeoPrecision(self.geo_precision).acled()

    @property
    def is_single_day(self) -> bool:
        return self.end_date == self.start_date or self.end_date is None

    @property
    def date_span(self) -> tuple[datetime.date, datetime.date]:
        return (self.start_date, self.end_date or self.start_date)


# What saving a loaded event writes: everything but what the database derives from claims.
EDITABLE_EVENT_COLUMNS = [
    field.name
    for field in Event._meta.concrete_fields
    if not field.primary_key and not field.generated and field.name not in DERIVED_FROM_CLAIMS
]


class EventDaySpan(models.Model):
    """How many events share a status, first and last day and date precision, kept by the
    database as events change (``events/sql/day_spans.sql``). The timeline's histogram and
    count of a selection narrowed by dates alone read these rows (a few per day) instead of
    every event: at a million events, a second per page."""

    status = models.CharField(max_length=10, choices=Publication.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    date_precision = models.PositiveSmallIntegerField(choices=DatePrecision.choices)
    # A plain integer: a removal is written as a negative change before the row goes.
    events = models.IntegerField()

    objects = PublishableQuerySet.as_manager()

    class Meta:
        db_table = "events_event_day_span"
        constraints = [
            models.UniqueConstraint(
                fields=["status", "start_date", "end_date", "date_precision"],
                name="event_day_span_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.events} {self.status} events {self.start_date}–{self.end_date}"


class Role(models.TextChoices):
    PERPETRATOR = "perpetrator", "Perpetrator"
    TARGET = "target", "Target"
    SIDE_A = "side_a", "Side A"
    SIDE_B = "side_b", "Side B"
    SUPPORTER = "supporter", "Supporter"
    ATTENDEE = "attendee", "Attendee"
    HOST = "host", "Host"
    MEDIATOR = "mediator", "Mediator"


# The two sides of the datasets' layouts (ACLED's actor1 and actor2, UCDP's side_a and side_b).
SIDE_1_ROLES = (Role.PERPETRATOR, Role.SIDE_A, Role.HOST)
SIDE_2_ROLES = (Role.TARGET, Role.SIDE_B)


@dataclass(frozen=True)
class Sides:
    """An event's actors on the datasets' two sides, each actor once.

    An actor with several roles counts on side 1 first, then side 2 (Iran hosts the Tehran
    summit and attends it: it is actor1, once). Supporters, attendees and mediators are on
    neither side: in ACLED's layout they are actor1's associates, so no participant is lost.
    """

    side_1: list[Any]
    side_2: list[Any]
    neither: list[Any]

    @classmethod
    def of(cls, participations: Iterable[Participation]) -> Sides:
        placed: set[int] = set()
        ordered = list(participations)
        sides: list[list[Any]] = [[], [], []]
        for index, roles in enumerate((SIDE_1_ROLES, SIDE_2_ROLES, None)):
            for participation in ordered:
                on_side = participation.role in roles if roles else True
                if on_side and participation.actor_id not in placed:
                    placed.add(participation.actor_id)
                    sides[index].append(participation.actor)
        return cls(*sides)

    @property
    def actor1(self) -> Any:
        return self.side_1[0] if self.side_1 else None

    @property
    def actor2(self) -> Any:
        return self.side_2[0] if self.side_2 else None

    @property
    def associates_1(self) -> list[Any]:
        return self.side_1[1:] + self.neither

    @property
    def associates_2(self) -> list[Any]:
        return self.side_2[1:]


class ParticipationQuerySet(ReadersQuerySet):
    def published(self) -> Self:
        return self.filter(event__status=Publication.PUBLISHED, actor__status=Publication.PUBLISHED)


@audited()
class Participation(models.Model):
    # Indexed by participation_unique, whose first column it is.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="participations", db_index=False
    )
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=15, choices=Role.choices)
    note = models.CharField(max_length=300, blank=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["role", "id"]
        indexes = [equality_index("participation_role", "role")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "actor", "role"],
                name="participation_unique",
                violation_error_message="This actor already has this role in the event.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display().lower()})"


class EventSides(models.Model):
    """An event's two sides as readers see them (``Sides`` of its published actors), kept by
    the database as participations and actors change (``events/sql/event_sides.sql``):
    ACLED's API finds the events of an actor1, an actor type or an interaction through these
    indexes (inter1 and inter2 through the actors' types). An event with no participant
    readers see has no row."""

    # No database constraints: the triggers write and remove the rows in the statement that
    # changes participations, and an event or actor goes only once its participations have.
    event = models.OneToOneField(
        Event,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="sides",
        db_constraint=False,
    )
    actor1 = models.ForeignKey(
        Actor,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,  # event_sides_actor1
    )
    actor2 = models.ForeignKey(
        Actor,
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,  # event_sides_actor2
    )
    interaction = models.PositiveSmallIntegerField(null=True)
    civilians = models.BooleanField()

    class Meta:
        db_table = "events_event_sides"
        indexes = [
            models.Index(fields=["actor1"], name="event_sides_actor1"),
            models.Index(fields=["actor2"], name="event_sides_actor2"),
            models.Index(fields=["interaction"], name="event_sides_interaction"),
            # No index on civilians: about one event in five, walked in order either way.
        ]

    def __str__(self) -> str:
        return f"sides of event {self.event_id}"


class EventRelationKind(models.TextChoices):
    PART_OF = "part_of", "part of"
    PRECEDES = "precedes", "precedes"
    RESPONSE_TO = "response_to", "response to"
    DISCUSSES = "discusses", "discusses"


@audited()
class EventRelation(models.Model):
    from_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_from")
    kind = models.CharField(max_length=15, choices=EventRelationKind.choices)
    to_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_to")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_event", "kind", "to_event"], name="eventrelation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_event=F("to_event")),
                name="eventrelation_not_reflexive",
                violation_error_message="An event cannot be related to itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_event} {self.get_kind_display()} {self.to_event}"

    def clean(self) -> None:
        if self.from_event_id and self.from_event_id == self.to_event_id:
            raise ValidationError({"to_event": "An event cannot be related to itself."})


class ImportSnapshot(models.Model):
    """What the last import of a dataset said about an event, so a re-import can tell an
    editor's changes from the dataset's (interchange). Bookkeeping, not evidence: not
    audited, and its values' ids are plain numbers, not foreign keys (an import writes 100,000
    snapshots, and the ids are only compared). A model so that Django knows the table
    (flushes, dumps, grants).

    One column per managed value, typed as the event, participation and claim columns it
    mirrors, so that a re-import compares columns rather than building documents."""

    pk = models.CompositePrimaryKey("event_id", "dataset")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    dataset = models.CharField(max_length=20)
    imported_at = models.DateTimeField(db_default=models.functions.Now())
    # The record that made the snapshot (reading.record_digest); null before the first
    # import that recorded it.
    digest = models.BinaryField(null=True)

    title = models.TextField()
    summary = models.TextField()
    event_type_id = models.BigIntegerField(null=True)
    start_date = models.DateField(null=True)
    end_date = models.DateField(null=True)
    date_precision = models.SmallIntegerField(null=True)
    location_id = models.BigIntegerField(null=True)
    geo_precision = models.SmallIntegerField(null=True)
    # Participants as two arrays in (actor, role) order.
    actor_ids = ArrayField(models.BigIntegerField())
    roles = ArrayField(models.TextField())
    # The dataset's fatality claim.
    value_low = models.BigIntegerField(null=True)
    value_best = models.BigIntegerField(null=True)
    value_high = models.BigIntegerField(null=True)
    civilians = models.IntegerField(null=True)
    combatants = models.IntegerField(null=True)
    value_text = models.TextField()
    document_id = models.BigIntegerField(null=True)
    quote = models.TextField()

    class Meta:
        db_table = "events_import_snapshot"

    def __str__(self) -> str:
        return f"{self.dataset} snapshot of event {self.event_id}"


class ImportEdit(models.Model):
    """An edit of an imported event since its snapshot: a managed field, a participant or a
    fatality claim changed outside an import. Written by database triggers
    (events/sql/import_edits.sql), read and cleared by the next import, which compares only
    such events' current fields with their snapshots (the others still are what their
    snapshots say).

    Marks are added, never updated, so an editor's write waits for no import and no import
    loses a mark made while it runs: it clears only the marks it read."""

    # The database's own ON DELETE CASCADE (migration 0011): marks go with their event
    # however it is deleted, raw SQL included.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        db_table = "events_import_edit"

    def __str__(self) -> str:
        return f"edit of imported event {self.event_id}"


@audited()
class EventMerge(models.Model):
    """An event absorbed into another, its duplicate (interchange.merging): where its address
    now leads (301), what the deletions feeds say of it ("merged into"), which of its external
    ids a re-import finds the kept event by, and what undoing the merge puts back."""

    absorbed_uuid = models.UUIDField(unique=True)
    # The absorbed event's external ids: those the kept event could not carry (it had its
    # own of the dataset) stay here only, and a re-import reads them (interchange.loading).
    absorbed_acled_id = models.CharField("absorbed ACLED id", max_length=30, blank=True)
    absorbed_ucdp_id = models.CharField("absorbed UCDP id", max_length=30, blank=True)
    absorbed_title = models.CharField(max_length=300)
    # The database's own ON DELETE CASCADE (migration 0027), as for the candidates below.
    kept = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="absorbed", db_constraint=False
    )
    merged_at = models.DateTimeField(db_default=models.functions.Now())
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What undoing the merge puts back: the absorbed event's columns and the ids of what moved
    # (interchange.merging.Moved).
    undo = models.JSONField(editable=False)

    class Meta:
        ordering = ["-merged_at", "-id"]
        indexes = [
            models.Index(
                fields=["absorbed_acled_id"],
                condition=~Q(absorbed_acled_id=""),
                name="eventmerge_acled_id",
            ),
            models.Index(
                fields=["absorbed_ucdp_id"],
                condition=~Q(absorbed_ucdp_id=""),
                name="eventmerge_ucdp_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.absorbed_title} merged into {self.kept}"


class CandidateStatus(models.TextChoices):
    OPEN = "open", "Open"
    REJECTED = "rejected", "Rejected"


@audited()
class EventCandidate(models.Model):
    """Two events that may be one (interchange.matching): found by the candidate search with a
    score and its reasons in words, then merged, rejected (never proposed again) or left open
    by an editor. The pair is kept in id order, so it is stored once."""

    # The database's own ON DELETE CASCADE (migration 0027): a pair goes with either event
    # however it is deleted, raw SQL included. No index of their own: the pair's unique
    # index leads with event_a, and eventcandidate_event_b serves event_b (each would be one
    # more entry to write per candidate, for nothing).
    event_a = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    event_b = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    score = models.FloatField()
    reasons = ArrayField(models.TextField())
    status = models.CharField(
        max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    found_at = models.DateTimeField(db_default=models.functions.Now())
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        permissions = [
            ("merge_events", "Can merge two events and undo a merge"),
            ("merge_in_bulk", "Can merge every open candidate above a score at once"),
        ]
        indexes = [
            # The review queue: open pairs, best first.
            models.Index(fields=["status", "-score"], name="eventcandidate_queue"),
            models.Index(fields=["event_b"], name="eventcandidate_event_b"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event_a", "event_b"], name="eventcandidate_pair"),
            models.CheckConstraint(
                condition=Q(event_a__lt=F("event_b")), name="eventcandidate_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_a_id} ≈ {self.event_b_id} ({self.score:.2f})"
