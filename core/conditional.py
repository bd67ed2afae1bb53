"""The one place the site answers ``If-None-Match`` and ``If-Modified-Since``."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe


class ConditionalGetOrHeadMiddleware(ConditionalGetMiddleware):
    """Django's ConditionalGetMiddleware, for HEAD as well as GET. Django's answers only GET,
    so a client checking with HEAD whether its copy is current got the whole 200 (headers
    only, but the answer computed and no 304); RFC 9110 (13.1.2) answers both alike."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.method != "HEAD":
            return super().process_response(request, response)
        if self.needs_etag(response) and not response.has_header("ETag"):
            set_response_etag(response)
        etag = response.get("ETag")
        last_modified = response.get("Last-Modified")
        modified = parse_http_date_safe(last_modified) if last_modified else None
        if etag or modified:
            # It reads only the status and headers, which a streaming response has too.
            answer = get_conditional_response(
                request, etag=etag, last_modified=modified, response=cast(HttpResponse, response)
            )
            return answer or response
        return response
