"""The OpenAPI 3 schema and its docs UI served from local static files."""

# ruff: noqa: F811  (the api_* fixtures are imported from tests/api/fixtures.py)

from __future__ import annotations

import re
from typing import Any

import pytest

from events.filters import EventFilter
from tests.api.fixtures import API_URLS, api_anon  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.urls(API_URLS)]


@pytest.fixture
def schema(api_anon) -> dict[str, Any]:
    response = api_anon.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def parameter_names(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", [])}


def test_the_schema_is_openapi_3_with_every_resource(schema):
    assert schema["openapi"].startswith("3.")
    for resource in (
        "events",
        "actors",
        "actor-relations",
        "places",
        "event-types",
        "outlets",
        "documents",
        "claims",
    ):
        assert f"/api/v1/{resource}/" in schema["paths"]
    assert "/api/v1/deleted/" in schema["paths"]


def test_the_events_list_documents_every_filter_format_and_paging_parameter(schema):
    operation = schema["paths"]["/api/v1/events/"]["get"]
    names = parameter_names(operation)
    assert set(EventFilter.base_filters) <= names
    assert {"ordering", "cursor", "page_size", "expand", "format"} <= names
    content = operation["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv", "application/geo+json"}
    assert content["application/geo+json"]["schema"]["properties"]["type"]["enum"] == [
        "FeatureCollection"
    ]
    assert {"400", "404", "429"} <= set(operation["responses"])


def test_the_schema_describes_compact_lists_expansions_and_fields(schema):
    listing = schema["paths"]["/api/v1/events/"]["get"]
    record = schema["paths"]["/api/v1/events/{uuid}/"]["get"]
    assert {"expand", "fields"} <= parameter_names(listing)
    assert "fields" in parameter_names(record)
    expand = next(p for p in listing["parameters"] if p["name"] == "expand")
    assert re.fullmatch(expand["schema"]["pattern"], "claims,place.ancestors")
    assert not re.fullmatch(expand["schema"]["pattern"], "claims,actors")
    assert "v1" in expand["description"]
    components = schema["components"]["schemas"]
    # ?fields= may leave any top-level field out; ?expand= adds the nested detail.
    assert "required" not in components["Event"]
    assert "required" not in components["EventDetail"]
    assert set(components["EventTypeOfEvent"]["required"]) == {"slug", "url", "name"}
    assert "ancestors" not in components["EventPlace"]["required"]
    assert "ancestors" in components["EventPlace"]["properties"]
    assert "description" in components["EventTypeOfEvent"]["properties"]
    # Records elsewhere keep their fields required.
    assert "ancestors" in components["Place"]["required"]


def test_writes_document_their_errors_permissions_and_if_match(schema):
    create = schema["paths"]["/api/v1/claims/"]["post"]
    assert {"201", "400", "401", "403", "429"} <= set(create["responses"])
    update = schema["paths"]["/api/v1/claims/{uuid}/"]["patch"]
    assert "If-Match" in parameter_names(update)
    assert "412" in update["responses"]
    assert "ETag" in update["responses"]["200"]["headers"]
    request_schema = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert request_schema.endswith("/ClaimWrite") or request_schema.endswith("/PatchedClaimWrite")


def test_the_docs_ui_is_served_from_local_static_files(api_anon):
    response = api_anon.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn." not in html
    # The start-up script is a file of its own (no inline script), and it loads the schema.
    assert '<script src="/api/v1/docs/?script="></script>' in html
    script = api_anon.get("/api/v1/docs/?script=").content.decode()
    assert "/api/v1/schema/" in script


def test_every_filter_that_takes_a_records_id_is_documented_as_a_uuid(schema):
    # A client generated from the schema then sends (and validates) ids, not any string.
    untyped = [
        f"{path} {parameter['name']}"
        for path, item in schema["paths"].items()
        for parameter in item.get("get", {}).get("parameters", [])
        if parameter["in"] == "query" and not parameter.get("schema")
    ]
    assert untyped == []
    id_filters = {
        ("/api/v1/documents/", "outlet"),
        ("/api/v1/claims/", "claimant"),
        ("/api/v1/claims/", "event"),
    }
    for path, name in id_filters:
        [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        assert parameter["schema"] == {"type": "string", "format": "uuid"}, (path, name)


# Reads for staff only: the candidate pairs name draft events and editors' undecided work.
STAFF_READS = {"/api/v1/event-candidates/"}


def test_public_reads_are_marked_as_needing_no_credentials_and_writes_as_needing_them(schema):
    reads = writes = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            security = operation.get("security", [])
            if path in STAFF_READS:
                assert {} not in security, (method, path)
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
            elif method == "get":
                reads += 1
                assert {} in security, (method, path)
            else:
                writes += 1
                assert security, (method, path)
                assert {} not in security, (method, path)
    assert reads >= 16
    assert writes >= 16
