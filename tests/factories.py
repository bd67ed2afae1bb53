"""factory_boy factories for every model; tests build exactly the rows they need."""

from __future__ import annotations

import datetime
import importlib

import factory
from django.apps import apps
from django.contrib.auth.models import Group, User

from actors.models import Actor, ActorKind, ActorName, ActorRelation, NameKind, RelationKind
from core.models import Publication
from events.models import (
    Event,
    EventRelation,
    EventRelationKind,
    EventType,
    Location,
    LocationKind,
    Participation,
    Role,
)
from sources.models import Claim, ClaimKind, Document, DocumentRelay, Outlet, OutletKind


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create: bool, names: list[str] | None, **kwargs: object) -> None:
        if create and names:
            self.is_staff = True
            self.save(update_fields=["is_staff"])
            if Group.objects.filter(name__in=names).count() < len(names):
                # A test that commits ends by emptying every table, the groups its migration
                # made included: a later test gets them back with their permissions.
                for migration, grant in GROUP_MIGRATIONS:
                    getattr(importlib.import_module(migration), grant)(apps, None)
            self.groups.set(Group.objects.filter(name__in=names))


# The migrations that make the groups and give them permissions, in order.
GROUP_MIGRATIONS = [
    ("sources.migrations.0003_groups", "create_groups"),
    ("events.migrations.0028_merge_permissions", "grant"),
]


class ActorFactory(factory.django.DjangoModelFactory[Actor]):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Armed group {n}")
    kind = ActorKind.REBEL_GROUP
    status = Publication.PUBLISHED


class ActorNameFactory(factory.django.DjangoModelFactory[ActorName]):
    class Meta:
        model = ActorName

    actor = factory.SubFactory(ActorFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")
    kind = NameKind.ABBREVIATION


class ActorRelationFactory(factory.django.DjangoModelFactory[ActorRelation]):
    class Meta:
        model = ActorRelation

    subject = factory.SubFactory(ActorFactory)
    kind = RelationKind.ALLIED_WITH
    object = factory.SubFactory(ActorFactory)


class LocationFactory(factory.django.DjangoModelFactory[Location]):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Place {n}")
    kind = LocationKind.TOWN
    country_code = "SY"
    latitude = 35.93
    longitude = 36.63
    status = Publication.PUBLISHED


class EventFactory(factory.django.DjangoModelFactory[Event]):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Event {n}")
    event_type = factory.LazyFunction(lambda: EventType.objects.get(slug="air-drone-strike"))
    start_date = datetime.date(2018, 9, 4)
    end_date = factory.SelfAttribute("start_date")
    location = factory.SubFactory(LocationFactory)
    status = Publication.PUBLISHED


class ParticipationFactory(factory.django.DjangoModelFactory[Participation]):
    class Meta:
        model = Participation

    event = factory.SubFactory(EventFactory)
    actor = factory.SubFactory(ActorFactory)
    role = Role.PERPETRATOR


class EventRelationFactory(factory.django.DjangoModelFactory[EventRelation]):
    class Meta:
        model = EventRelation

    from_event = factory.SubFactory(EventFactory)
    kind = EventRelationKind.PRECEDES
    to_event = factory.SubFactory(EventFactory)


class OutletFactory(factory.django.DjangoModelFactory[Outlet]):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    kind = OutletKind.NEWSPAPER
    status = Publication.PUBLISHED


class DocumentFactory(factory.django.DjangoModelFactory[Document]):
    class Meta:
        model = Document

    outlet = factory.SubFactory(OutletFactory)
    title = factory.Sequence(lambda n: f"Report {n}")
    published_on = datetime.date(2018, 9, 5)
    status = Publication.PUBLISHED


class DocumentRelayFactory(factory.django.DjangoModelFactory[DocumentRelay]):
    class Meta:
        model = DocumentRelay

    document = factory.SubFactory(DocumentFactory)
    outlet = factory.SubFactory(OutletFactory)


class ClaimFactory(factory.django.DjangoModelFactory[Claim]):
    """A fatality claim about an event, by an actor, unless told otherwise."""

    class Meta:
        model = Claim

    event = factory.SubFactory(EventFactory)
    kind = ClaimKind.FATALITIES
    claimant_actor = factory.SubFactory(ActorFactory)
    document = factory.SubFactory(DocumentFactory)
    quote = "The strikes killed 13 civilians."
    value_best = 13


STAFF_READER = type("StaffReader", (), {"is_staff": True, "is_authenticated": True})()


def as_staff_see_it(event: Event) -> Event:
    """``event`` as staff pages load it: the figures from every claim that is not deprecated
    (drafts and claims needing work too), the readers' kept in ``readers_figures``."""
    return Event.objects.as_seen_by(STAFF_READER).get(pk=event.pk)
