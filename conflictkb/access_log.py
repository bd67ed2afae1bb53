"""gunicorn's access log without credentials: ACLED's clients send their key and e-mail in the
query string (``?key=…&email=…``), which the default log line (the request line) would keep.
Their values, and an Authorization header or cookie a log format might name, are written as
``[redacted]``."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

# Query parameters that carry credentials (ACLED's legacy key and e-mail, a token).
SECRET_PARAMETER = re.compile(r"(?i)(?<=[?&])(key|email|access_token|password)=[^&\s]*")
SECRET_HEADERS = ("{authorization}i", "{cookie}i", "{proxy-authorization}i")


def redacted(text: str) -> str:
    return SECRET_PARAMETER.sub(lambda found: f"{found.group(1)}=[redacted]", text)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redacted(atoms["r"])
        atoms["q"] = redacted("?" + (atoms["q"] or ""))[1:]
        for header in SECRET_HEADERS:
            if header in atoms:
                atoms[header] = "[redacted]"
        return atoms
