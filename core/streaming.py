"""Downloads that fail loudly: before their first byte when the database is down, and
unmistakably when it fails in the middle."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import chain, islice

from django.db import DatabaseError
from django.http import StreamingHttpResponse

logger = logging.getLogger(__name__)

# Written where a download stops because the database failed: it opens a quoted string that
# never closes, so neither the CSV (to a strict reader) nor the JSON is a well-formed file,
# and a person opening the file reads why.
CUT_SHORT = (
    '\n"ConflictKB: THIS DOWNLOAD IS INCOMPLETE. The database failed while it was being'
    " written; download it again.\n"
)


def streamed(chunks: Iterator[str], content_type: str) -> StreamingHttpResponse:
    """A streamed download whose opening (the header and the first record) is produced
    before the response starts.

    That is the stream's first read of the database: if the database is down it fails here,
    and the client gets the site's 503, not a 200 with a header and then a cut file. If the
    database fails later, the stream ends with :data:`CUT_SHORT` and the error is raised
    again, so the server aborts the transfer (no final chunk): clients report an incomplete
    download, and the file they may keep is not well-formed.
    """
    opening = list(islice(chunks, 2))
    return StreamingHttpResponse(
        chain(opening, cut_short_on_failure(chunks)), content_type=content_type
    )


def cut_short_on_failure(chunks: Iterator[str]) -> Iterator[str]:
    try:
        yield from chunks
    except DatabaseError:
        logger.exception("A download was cut short by a database failure")
        yield CUT_SHORT
        raise
