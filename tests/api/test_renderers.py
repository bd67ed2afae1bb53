"""The API's JSON is DRF's document, written faster: clients cannot tell the two apart."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.test import APIClient

from api.renderers import JSONRenderer, WrittenJSON

DOCUMENT = {
    "title": "Strikes on Khan Shaykhun — «13 killed» \u2028 next line \u2029 ٱدلب",
    "when": datetime.datetime(2018, 9, 4, 6, 30, 12, 5000, tzinfo=datetime.UTC),
    "day": datetime.date(2018, 9, 4),
    "id": uuid.UUID("94e89453-c742-5db1-8667-6b9200382b10"),
    "share": decimal.Decimal("0.125"),
    "label": gettext_lazy("Published"),
    "latitude": 35.6892,
    "counts": [0, 13, None, True],
    "nested": {"empty": [], "none": None},
}


def test_the_json_is_drfs_to_the_byte():
    assert JSONRenderer().render(DOCUMENT) == renderers.JSONRenderer().render(DOCUMENT)


def test_line_separators_are_escaped_so_the_json_is_valid_javascript():
    text = JSONRenderer().render({"quote": "a\u2028b\u2029c"})
    assert text == b'{"quote":"a\\u2028b\\u2029c"}'


def test_an_indent_asked_for_is_honoured():
    text = (
        JSONRenderer().render({"a": [1]}, "application/json; indent=2", {"indent": None}).decode()
    )
    assert text == '{\n  "a": [\n    1\n  ]\n}'


def test_json_written_beforehand_goes_out_as_written_or_read_back_for_an_indent():
    data = {"results": [WrittenJSON('{"title" : "Strike"}')]}
    assert JSONRenderer().render(data) == b'{"results":[{"title" : "Strike"}]}'
    indented = JSONRenderer().render(data, "application/json; indent=1", {})
    assert indented.decode() == '{\n "results": [\n  {\n   "title": "Strike"\n  }\n ]\n}'


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html", "application/json; indent=4", "application/json"])
def test_the_event_list_renders_for_browsers_and_indenting_clients(idlib, accept):
    response = APIClient().get("/api/v1/events/", headers={"Accept": accept})
    assert response.status_code == 200
    assert "Tehran summit of Russia, Iran and Turkey" in response.content.decode()
