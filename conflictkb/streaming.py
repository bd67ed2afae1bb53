"""Downloads that fail before their first byte when the database is down."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice

from django.http import StreamingHttpResponse


def streamed(chunks: Iterator[str], content_type: str) -> StreamingHttpResponse:
    """A streamed download whose opening (the header and the first record) is produced
    before the response starts.

    That is the stream's first read of the database: if the database is down it fails here,
    and the client gets the site's 503, not a 200 with a header and then a cut file. A
    failure later in the stream aborts the transfer, so the client sees an incomplete
    download rather than a well-formed partial file.
    """
    opening = list(islice(chunks, 2))
    return StreamingHttpResponse(chain(opening, chunks), content_type=content_type)
