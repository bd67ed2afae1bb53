import pytest

from events.models import Location
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def test_a_new_place_gets_its_path_from_its_parent():
    syria = LocationFactory(name="Syria", kind="country", parent=None)
    idlib = LocationFactory(name="Idlib", kind="admin1", parent=syria)
    assert idlib.path == f"/{syria.pk}/{idlib.pk}/"
    assert list(Location.objects.within(syria)) == [syria, idlib]


def test_a_renamed_place_keeps_its_old_name_as_an_alternate_spelling() -> None:
    place = LocationFactory.create(name="Khan Shaykhun", alternate_names=["خان شيخون"])
    idlib = LocationFactory.create(name="Idlib", alternate_names=["Idleb", "إدلب"])
    maarat = LocationFactory.create(name="Maarat al-Numan", alternate_names=[])

    place.name = "Khan Sheikhoun"
    place.save()
    Location.objects.filter(pk=idlib.pk).update(name="Idleb")  # name and spelling swap
    Location.objects.filter(pk=maarat.pk).update(name="Maarat al-numan")  # case only

    for location in (place, idlib, maarat):
        location.refresh_from_db()
    assert place.alternate_names == ["خان شيخون", "Khan Shaykhun"]
    assert idlib.alternate_names == ["إدلب", "Idlib"]
    assert maarat.alternate_names == []
