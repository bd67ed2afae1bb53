"""ETags: a read's tag is its representation's hash, the one If-Match compares with."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from rest_framework import exceptions, status
from rest_framework.utils.encoders import JSONEncoder


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record changed since you read it (If-Match does not match its ETag). "
        "Read it again and reapply your change."
    )
    default_code = "precondition_failed"


def etag_for(data: Any) -> str:
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:40] + '"'
