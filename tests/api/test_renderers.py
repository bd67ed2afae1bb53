"""The API's JSON is DRF's document, written faster: clients cannot tell the two apart."""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.utils.translation import gettext_lazy
from rest_framework import renderers

from api.renderers import JSONRenderer

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
