import pytest

from events.models import Location
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def test_a_new_place_gets_its_path_from_its_parent():
    syria = LocationFactory(name="Syria", kind="country", parent=None)
    idlib = LocationFactory(name="Idlib", kind="admin1", parent=syria)
    assert idlib.path == f"/{syria.pk}/{idlib.pk}/"
    assert list(Location.objects.within(syria)) == [syria, idlib]
