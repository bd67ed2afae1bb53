"""ETags: a read's tag is its representation's hash, the one If-Match compares with."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from rest_framework import exceptions, status

from api.renderers import json_default


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record changed since you read it (If-Match does not match its ETag). "
        "Read it again and reapply your change."
    )
    default_code = "precondition_failed"


def etag_for(data: Any) -> str:
    """The tag of a representation: a hash of its JSON with sorted keys, whatever format it
    is rendered in (rows written beforehand are hashed as written)."""
    body = orjson.dumps(
        data,
        default=json_default,
        option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
    )
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
