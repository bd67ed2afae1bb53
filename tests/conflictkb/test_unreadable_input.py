"""Input PostgreSQL cannot take, or Python cannot parse, is a 400 that says so, never a 500.

Found by an attack on a production-mode instance: a NUL in the site search, in an admin
filter and in the admin's search, and a JSON body of 100,000 nested ``[``, each gave 500.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=a%00b",
        "/?actor=%00",
        "/?q=x&%00=y",
        "/map/?q=%00",
        "/export/events.csv?claimant=%00",
        "/sources/?q=%00",
    ],
)
def test_a_nul_in_a_readers_address_is_a_400_page(anon_client: Client, url: str) -> None:
    response = anon_client.get(url)
    assert response.status_code == 400
    assert "cannot search for (a NUL" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/events/?q=a%00b", "/api/v1/claims/?claimant=%00", "/api/v1/places/?q=%00"],
)
def test_a_nul_in_an_api_address_is_a_json_400(anon_client: Client, url: str) -> None:
    response = anon_client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    ["/api/acled/read?country=%00", "/api/actor/read?actor_name=a%00", "/api/gedevents/1?Id=%00"],
)
def test_a_nul_in_an_acled_or_ucdp_address_is_a_400_in_acleds_shape(
    anon_client: Client, url: str
) -> None:
    response = anon_client.get(url)
    assert response.status_code == 400
    answer = response.json()
    assert (answer["status"], answer["success"]) == (400, False)
    assert "NUL" in answer["error"][0]["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/events/event/?status__exact=%00",
        "/admin/events/event/?q=%00",
        "/admin/sources/claim/?q=a%00b",
    ],
)
def test_a_nul_in_an_admin_filter_or_search_is_a_400(editor_client: Client, url: str) -> None:
    assert editor_client.get(url).status_code == 400


def test_a_json_body_nested_past_pythons_limit_is_a_400(editor_client: Client) -> None:
    response = editor_client.post(
        "/api/v1/events/", data="[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


# Any text a reader, an editor or a client could type, including NUL, control characters and
# lone surrogates (which reach Django as bytes that are not UTF-8).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
SEARCHES = [
    ("anon", "/search/?q="),
    ("anon", "/?q="),
    ("anon", "/?actor="),
    ("anon", "/api/v1/events/?q="),
    ("anon", "/api/v1/claims/?claimant="),
    ("editor", "/admin/events/event/?q="),
    ("editor", "/admin/events/event/?status__exact="),
    ("editor", "/admin/sources/claim/?q="),
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=st.sampled_from(SEARCHES), text=ANY_TEXT)
@example(where=SEARCHES[0], text="a\x00b").via("the attack's site search")
@example(where=SEARCHES[6], text="\x00").via("the attack's admin filter")
@example(where=SEARCHES[3], text="\ud800").via("a lone surrogate")
def test_no_text_in_a_search_or_filter_gives_a_server_error(
    anon_client: Client, editor_client: Client, where: tuple[str, str], text: str
) -> None:
    who, url = where
    client = editor_client if who == "editor" else anon_client
    response = client.get(url + quote(text.encode("utf-8", "surrogatepass")))
    assert response.status_code < 500, (url, text)
    if "\x00" in text:
        assert response.status_code == 400
