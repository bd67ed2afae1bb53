"""The one FilterSet for events: the HTML timeline, the map, the exports and the API all use it.

Every filter names its field and lookup (or a method) and says what it does in ``help_text``,
which the API schema and the HTML form both show. Malformed values become form errors (the API
answers 400 with them); nothing here raises on bad input. Each filter is one indexed
condition or one semi-join, so the filtered list costs the same queries as the plain one.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import math
import uuid
from typing import Any

import django_filters
from django import forms
from django.contrib.postgres.fields import DateRangeField
from django.contrib.postgres.lookups import Overlap
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Length
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.choices import CallableChoiceIterator
from django.utils.formats import get_format
from django.utils.safestring import SafeString

from actors.models import Actor
from core.data_version import cached_until_data_changes
from core.filters import MATCHED_NAMES
from core.models import sees_drafts
from events.models import (
    DateSpan,
    Event,
    EventType,
    Location,
    LocationKind,
    Participation,
    claim_queryset,
)


class BBox(tuple[float, float, float, float]):
    """min_lon, min_lat, max_lon, max_lat."""


class BBoxField(forms.CharField):
    """``min_lon,min_lat,max_lon,max_lat`` in degrees, validated into a :class:`BBox`."""

    default_error_messages = {
        "invalid": "Give four numbers: min_lon,min_lat,max_lon,max_lat (for example 35.5,35.2,37.2,36.4).",
        "latitude": "Latitudes must be between -90 and 90, the south edge below the north edge.",
        "longitude": "Longitudes must be between -180 and 180.",
    }

    def clean(self, value: Any) -> BBox | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            numbers = [float(part) for part in text.split(",")]
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            raise ValidationError(self.error_messages["longitude"], code="longitude")
        if not (-90 <= min_lat <= max_lat <= 90):
            raise ValidationError(self.error_messages["latitude"], code="latitude")
        return BBox(numbers)


class ISODateInput(forms.DateInput):
    """``<input type="date">``, whose value must be yyyy-mm-dd or nothing.

    A value the browser cannot show (a malformed filter on a 400 page) is left out rather than
    written into the input, where the browser would drop it with a console warning; the error
    under the field repeats what was typed.
    """

    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            pass
        for date_format in get_format("DATE_INPUT_FORMATS"):
            try:
                return (
                    datetime.datetime.strptime(str(value).strip(), date_format).date().isoformat()
                )
            except ValueError:
                continue
        return None


class BBoxFilter(django_filters.Filter):
    field_class = BBoxField


class QuickSelect(forms.Select):
    """A ``<select>`` whose options one template writes in one loop.

    Django renders each option through its own template: 40 ms for the 285 regions of a
    million-event data set, a third of a timeline page. The markup is the same.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = {str(item) for item in self.format_value(value)}
        options = [(choice, label, str(choice) in chosen) for choice, label in self.choices]
        context = {"name": name, "attrs": self.build_attrs(self.attrs, attrs), "options": options}
        return SafeString(render_to_string("events/_quick_select.html", context))


class CachedMenuField(forms.ModelChoiceField):
    """A menu whose options are read once per data version, not on every page.

    The options are keyed by the query that lists them (so readers' menus, without drafts, and
    staff's are kept apart), and cached as plain (value, label) pairs: building the place menu
    from the database, with a model instance per option, was a sixth of a timeline page.
    """

    widget = QuickSelect

    def use_cached_options(self, offered: QuerySet[Any] | None = None) -> None:
        """Offer ``offered`` (by default every choice) in the menu."""
        options = self.iterator(self)
        if offered is not None:
            options.queryset = offered
        # Read when the menu is first rendered, not by exports that never show it.
        self.widget.choices = CallableChoiceIterator(
            functools.cache(
                lambda: cached_until_data_changes(
                    "filter-menu",
                    str(options.queryset.query),
                    lambda: [(str(value), str(label)) for value, label in options],
                )
            )
        )


class PlaceChoiceField(CachedMenuField):
    """Any visible place; the menu offers the regions, in tree order, indented by depth.

    A menu of every place grows with the data (8,000 places, 860 KB and 3 s of a timeline page
    at a million events): it lists countries and their first-level regions, plus the place
    chosen (a town reached from its page's "Filter the timeline" link). Towns are also found by
    the words filter, which matches place names.
    """

    OFFERED_KINDS = (LocationKind.COUNTRY, LocationKind.ADMIN1)

    def label_from_instance(self, obj: Location) -> str:
        return "\u2003" * len(obj.ancestor_ids) + obj.name

    def to_python(self, value: Any) -> Location | None:
        """A place id, or a place's name spelled as loosely as in the site search ("Idleb"):
        the closest visible place by any of its spellings, the widest of equally close ones."""
        text = str(value or "").strip()
        try:
            uuid.UUID(text)
        except ValueError:
            assert self.queryset is not None
            # Among equally close places, the widest: "Idleb" is the governorate, which
            # holds the city of the same name.
            matches = self.queryset.search(text)  # type: ignore[attr-defined]
            closest = (
                matches.order_by("-similarity", Length("path"), "name").first() if text else None
            )
            if closest is not None:
                return closest
        return super().to_python(value)

    def offer_regions_and(self, chosen: object) -> None:
        offered = Q(kind__in=self.OFFERED_KINDS)
        with contextlib.suppress(ValueError):  # nothing or not an id: the form reports it
            offered |= Q(uuid=uuid.UUID(str(chosen)))
        assert self.queryset is not None  # set by the filter before the form is built
        # Only the menu is narrowed: any visible place is still a valid choice.
        self.use_cached_options(self.queryset.filter(offered))


def overlaps(days: DateRange) -> Overlap:
    """Events whose days (start to end, inclusive) share at least one day with ``days``."""
    return Overlap(DateSpan("start_date", "end_date"), Value(days, output_field=DateRangeField()))


# Longer words or names are an error, not a query: they would only make the database work.
MAX_TEXT_FILTER = 200


class PlaceFilter(django_filters.ModelChoiceFilter):
    field_class = PlaceChoiceField


class EventTypeChoiceField(CachedMenuField):
    def label_from_instance(self, obj: EventType) -> str:
        return f"\u2003{obj.name}" if obj.parent_id else obj.name


class EventTypeFilter(django_filters.ModelChoiceFilter):
    field_class = EventTypeChoiceField


class StrictBooleanField(forms.NullBooleanField):
    """true/false (also 1/0, yes/no) or empty; anything else is an error, not "any"."""

    widget = forms.Select(
        choices=[("", "Any"), ("true", "Contested only"), ("false", "Not contested")]
    )
    TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value in (True, False, None):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        if text in ("", "unknown"):
            return None
        raise ValidationError("Use true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class EventFilterForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(place := self.fields.get("place"), PlaceChoiceField):
            place.offer_regions_and(self.data.get(self.add_prefix("place")))
        if isinstance(event_type := self.fields.get("type"), EventTypeChoiceField):
            event_type.use_cached_options()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The end of the range must be on or after its start.")
        return data


def visible_places(request: HttpRequest | None) -> QuerySet[Location]:
    user = getattr(request, "user", None)
    return Location.objects.visible_to(user).only("uuid", "name", "path").order_by("path")


def event_types_in_tree_order(request: HttpRequest | None) -> QuerySet[EventType]:
    """Top-level types each followed by their sub-types, in the taxonomy's own order."""
    return EventType.objects.order_by(
        Coalesce("parent__position", "position"),
        Coalesce("parent__name", "name"),
        F("parent_id").asc(nulls_first=True),
        "position",
        "name",
    )


class ActorMatch(models.TextChoices):
    PARTICIPANT = "participant", "Takes part"
    NAMED = "named", "Named in a claim only"


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_words",
        max_length=MAX_TEXT_FILTER,
        label="Words",
        help_text="Full text over titles, summaries, claim quotes, actor names and place names; "
        'quotes for phrases, "or", and -word to exclude. Results carry a search_rank.',
    )
    actor = django_filters.CharFilter(
        method="filter_actor",
        max_length=MAX_TEXT_FILTER,
        label="Actor",
        help_text="An actor's id, or any name, alias, abbreviation or former name, spelled as "
        "loosely as in the site search (HTS, Nusra, Tahrir al Sham): events it takes part in "
        "or that a claim you can open names it in (as perpetrator, target or otherwise). "
        "actor_as narrows it.",
    )
    actor_as = django_filters.ChoiceFilter(
        method="filter_nothing",  # read by filter_actor
        choices=ActorMatch.choices,
        empty_label="Takes part or is named",
        label="Actor as",
        help_text="participant: only events the actor takes part in; named: only events where "
        "a claim names it and it does not take part. Without it, both.",
    )
    claimant = django_filters.CharFilter(
        method="filter_claimant",
        max_length=MAX_TEXT_FILTER,
        label="Claimed by",
        help_text="An actor or outlet making claims, by id or by any name (spelled loosely): "
        "events with a claim by it that you can open (Syrian Observatory, SOHR, Reuters).",
    )
    place = PlaceFilter(
        queryset=visible_places,
        to_field_name="uuid",
        method="filter_place",
        empty_label="Anywhere",
        label="Place",
        help_text="A place id, or a place's name spelled loosely (Idleb: the closest place); "
        "includes every place inside it.",
    )
    type = EventTypeFilter(
        queryset=event_types_in_tree_order,
        to_field_name="slug",
        method="filter_type",
        empty_label="Any type",
        label="Event type",
        help_text="An event type slug; a top-level type includes its sub-types.",
    )
    date_from = django_filters.DateFilter(
        method="filter_date_from",
        label="From",
        help_text="ISO date; events ending on or after it (events overlapping the range).",
        widget=ISODateInput(),
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to",
        label="To",
        help_text="ISO date; events starting on or before it (events overlapping the range).",
        widget=ISODateInput(),
    )
    contested = StrictBooleanFilter(
        method="filter_contested",
        label="Contested",
        help_text="true: only events whose claims disagree; false: only uncontested events.",
    )
    bbox = BBoxFilter(
        method="filter_bbox",
        label="Map area",
        help_text="min_lon,min_lat,max_lon,max_lat in degrees (WGS 84) around the event's place; "
        "min_lon > max_lon crosses the antimeridian.",
    )
    min_fatalities = django_filters.NumberFilter(
        method="filter_min_fatalities",
        min_value=0,
        label="At least … killed",
        help_text="Events whose highest accepted fatality figure is at least this number.",
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Changed since",
        help_text="ISO 8601 date-time; events created or changed at or after it.",
    )

    class Meta:
        model = Event
        fields: list[str] = []
        form = EventFilterForm

    @property
    def request_user(self) -> Any:
        return getattr(self.request, "user", None)

    def _sees_drafts(self) -> bool:
        return sees_drafts(self.request_user)

    def figure(self, name: str) -> str:
        """A figure's column as the user sees it: readers' from the claims they can open,
        staff's from every claim that is not deprecated (``Event.show_staff_figures``)."""
        return f"staff_{name}" if self._sees_drafts() else name

    def filter_contested(
        self, queryset: QuerySet[Event], name: str, value: bool
    ) -> QuerySet[Event]:
        return queryset.filter(**{self.figure("contested"): value})

    def filter_min_fatalities(
        self, queryset: QuerySet[Event], name: str, value: int
    ) -> QuerySet[Event]:
        return queryset.filter(**{f"{self.figure('fatalities_high')}__gte": value})

    def filter_nothing(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        return queryset

    def matching(self, filter_name: str, value: str, *kinds: Any) -> list[list[int]]:
        """The ids of the records of each kind (actors, outlets) that ``value`` names, as the
        user may see them: by id; else those with a name, alias or former name in which it
        starts a word ("HTS", "Nusra"); else, when none does, those whose names are close to
        it with the site search's tolerance ("Tahrir al Sham"). An exact name thus never
        brings in its look-alikes ("Northern 40 Front", not 41 and 42).

        The ids are read once (a query or two per kind).
        As literal ids the planner estimates each semi-join from the column's statistics and
        reads a rare actor's claims through their index; an id array computed inside the query
        was estimated at two thirds of all claims and scanned them. The names are kept
        (``matched``) so that pages can say which records an ambiguous name matched.
        """
        text = value.strip()
        try:
            by_id: Any = forms.UUIDField().clean(text)
        except ValidationError:
            by_id = None
        ways = ["uuid"] if by_id else ["answering_to", "search"]
        found: list[list[tuple[int, str]]] = [[] for _ in kinds]
        for way in ways:
            for index, kind in enumerate(kinds):
                records = kind.objects.visible_to(self.request_user)
                records = (
                    records.filter(uuid=by_id) if way == "uuid" else getattr(records, way)(text)
                )
                found[index] = list(records.order_by("name").values_list("pk", "name"))
            if any(found):
                break
        for rows in found:
            self.matched.setdefault(filter_name, []).extend(name for _, name in rows)
        if self.request is not None:  # the API's list says which records were matched
            setattr(self.request, MATCHED_NAMES, self.matched)
        return [[pk for pk, _ in rows] for rows in found]

    @functools.cached_property
    def matched(self) -> dict[str, list[str]]:
        """Filter name → the names of the actors (or outlets) its value matched."""
        return {}

    def visible_claims(self) -> QuerySet[Any]:
        """The claims that count for this user (``ClaimQuerySet.counted_for``)."""
        return claim_queryset().counted_for(self.request_user)

    def filter_actor(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if not value.strip():
            return queryset
        [actors] = self.matching(name, value, Actor)
        participates = Exists(Participation.objects.filter(event=OuterRef("pk"), actor__in=actors))
        named = Exists(self.visible_claims().filter(event=OuterRef("pk"), value_actor__in=actors))
        # Exports say how each event involves the actor (``actor_match``).
        match self.form.cleaned_data.get("actor_as"):
            case ActorMatch.PARTICIPANT:
                return queryset.filter(participates).annotate(actor_match=Value("participant"))
            case ActorMatch.NAMED:
                return queryset.filter(named, ~participates).annotate(
                    actor_match=Value("named in a claim")
                )
        return queryset.filter(participates | named).annotate(
            actor_match=Case(
                When(participates, then=Value("participant")), default=Value("named in a claim")
            )
        )

    def filter_claimant(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if not value.strip():
            return queryset
        claims = self.visible_claims()
        outlet = claims.model._meta.get_field("claimant_outlet").related_model
        actors, outlets = self.matching(name, value, Actor, outlet)
        # One semi-join; each claimant column is an index condition (a BitmapOr of the two).
        return queryset.filter(
            Exists(
                claims.filter(event=OuterRef("pk")).filter(
                    Q(claimant_actor__in=actors) | Q(claimant_outlet__in=outlets)
                )
            )
        )

    def filter_place(
        self, queryset: QuerySet[Event], name: str, value: Location
    ) -> QuerySet[Event]:
        return queryset.in_place(value)  # type: ignore[attr-defined]

    # Dates are one overlap with the range the bounds give (open-ended when one is missing):
    # one search of the event_span GiST index, which the planner estimates well.
    def filter_date_from(
        self, queryset: QuerySet[Event], name: str, value: datetime.date
    ) -> QuerySet[Event]:
        if self.form.cleaned_data.get("date_to"):
            return queryset  # filter_date_to applies both bounds
        return queryset.filter(overlaps(DateRange(value, None, "[]")))

    def filter_date_to(
        self, queryset: QuerySet[Event], name: str, value: datetime.date
    ) -> QuerySet[Event]:
        first_day = self.form.cleaned_data.get("date_from")
        # start_date <= date_to follows from the overlap; said outright, it bounds the
        # newest-first walk of the timeline index, which then starts at date_to instead of
        # reading every later event (400,000 of a million) to find the first page.
        return queryset.filter(overlaps(DateRange(first_day, value, "[]")), start_date__lte=value)

    def filter_type(
        self, queryset: QuerySet[Event], name: str, value: EventType
    ) -> QuerySet[Event]:
        # The type's ids first (a tiny subquery), so the events are found through their
        # event_type index; an OR across the joined type table would scan every event.
        types = EventType.objects.filter(Q(pk=value.pk) | Q(parent_id=value.pk)).values("pk")
        return queryset.filter(event_type__in=types)

    def filter_bbox(self, queryset: QuerySet[Event], name: str, value: BBox) -> QuerySet[Event]:
        min_lon, min_lat, max_lon, max_lat = value
        longitude = (
            Q(location__longitude__gte=min_lon, location__longitude__lte=max_lon)
            if min_lon <= max_lon
            else Q(location__longitude__gte=min_lon) | Q(location__longitude__lte=max_lon)
        )
        within = queryset.filter(
            longitude, location__latitude__gte=min_lat, location__latitude__lte=max_lat
        )
        # A reader's map never places an event by a draft place (EventQuerySet.located).
        return within if self._sees_drafts() else within.filter(location__status="published")

    def filter_words(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if not value.strip():
            return queryset
        return queryset.matching_words(  # type: ignore[attr-defined]
            value, with_drafts=self._sees_drafts()
        )
