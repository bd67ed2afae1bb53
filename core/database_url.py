"""The ``DATABASE_URL`` of a database this process is connected to, for another process.

A command, a test or a load run that starts a child process (gunicorn, ``manage.py``, an
import) hands it the database it uses itself. The child reads the URL back with
dj-database-url, as ``settings.py`` does, so the URL must name the same server whether that is
reached over TCP (``DATABASE_URL``, CI, production) or through a Unix socket folder (the
embedded PostgreSQL of the quick start, which listens on no TCP port at all).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from django.db import DEFAULT_DB_ALIAS, connections


def connection_url(params: Mapping[str, Any]) -> str:
    """A ``postgres://`` URL for libpq connection parameters (``host``, ``port``, ``user``,
    ``password``, ``dbname``), as Django's ``get_connection_params()`` gives them.

    A socket folder cannot stand where a URL's host does: libpq and dj-database-url read it,
    with its port, from the query string. Without a host, libpq's own default applies.
    """
    user = quote(str(params.get("user") or ""), safe="")
    password = str(params.get("password") or "")
    credentials = user + (f":{quote(password, safe='')}" if password else "")
    authority = f"{credentials}@" if credentials else ""
    host = str(params.get("host") or "")
    port = str(params.get("port") or "")
    name = quote(str(params["dbname"]), safe="")
    if not host or host.startswith("/"):
        query = urlencode(
            [(key, value) for key, value in (("host", host), ("port", port)) if value]
        )
        return f"postgres://{authority}/{name}" + (f"?{query}" if query else "")
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"postgres://{authority}{host}{f':{port}' if port else ''}/{name}"


def database_url(alias: str = DEFAULT_DB_ALIAS, *, name: str | None = None) -> str:
    """The URL of the database behind ``alias`` (under pytest, its test database), or of the
    database ``name`` on the same server."""
    params = connections[alias].get_connection_params()
    return connection_url({**params, "dbname": name or params["dbname"]})
