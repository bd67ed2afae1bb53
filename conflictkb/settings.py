"""ConflictKB settings: one module, read from environment variables.

Every variable is listed in the README. The defaults run a local development site with an
embedded PostgreSQL and no configuration; ``DJANGO_ENV=production`` turns every default that
would be unsafe in production into a hard requirement.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
import pghistory
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def throttle_rate(name: str, default: str) -> str | None:
    rate = env(name, default).strip()
    return None if rate.lower() == "off" else rate


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"
TESTING = "pytest" in sys.modules

if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not env(name)]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: " + ", ".join(missing)
        )

# A fixed development key is fine: without DJANGO_ENV=production nothing here is public.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"
SECRET_KEY = env("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# Old keys during a rotation: sessions and signatures made with them stay valid.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION and not TESTING)

if PRODUCTION:
    # What `check --deploy` would only warn about, production refuses: a debug page shows
    # settings and code to anyone, and a guessable key lets anyone sign in as anyone.
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_ENV=production refuses DJANGO_DEBUG=true.")
    for name, key in [("SECRET_KEY", SECRET_KEY)] + [
        ("SECRET_KEY_FALLBACKS", fallback) for fallback in SECRET_KEY_FALLBACKS
    ]:
        if (
            len(key) < 50
            or len(set(key)) < 5
            or key.startswith("django-insecure-")
            or key == DEVELOPMENT_SECRET_KEY
        ):
            raise ImproperlyConfigured(
                f"DJANGO_ENV=production refuses a weak {name}: it needs at least 50 characters,"
                " 5 of them different, and not a published one. Make one with: python -c"
                " 'import secrets; print(secrets.token_urlsafe(50))'"
            )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "pghistory.admin",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "pgtrigger",
    "pghistory",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "actors",
    "events",
    "sources",
    "interchange",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.security.ContentSecurityPolicyMiddleware",
    # Before anything reads the query string into SQL (the reader cache keys included).
    "core.security.RefuseUnstorableTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The one place that answers If-None-Match (304) and tags responses that have no ETag.
    "core.conditional.ConditionalGetOrHeadMiddleware",
    # A reading request reads the data version once, for every cache that asks.
    "core.data_version.DataVersionPerRequestMiddleware",
    # Keeps anonymous readers' answers once the middleware below have set their cookies.
    "core.reader_cache.ReaderCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.security.LoginRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the acting user and the request URL as the context of every audited change.
    "pghistory.middleware.HistoryMiddleware",
]

ROOT_URLCONF = "conflictkb.urls"
WSGI_APPLICATION = "conflictkb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------------
# DATABASE_URL wins; without it a project-local embedded PostgreSQL is started (or reused).
EMBEDDED_PGDATA = Path(env("EMBEDDED_PGDATA", str(BASE_DIR / ".pgdata")))
if env("DATABASE_URL"):
    DATABASE_URL = env("DATABASE_URL")
else:
    from core.embedded_db import database_url

    DATABASE_URL = database_url(EMBEDDED_PGDATA)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
}
# Memory for each sort or hash of a query. The words filter tests each event against hashed
# sets of ids; a set that does not fit (PostgreSQL's 4 MB default holds about 100,000 ids) is
# searched row by row instead: 20 s instead of 1 s for a common word at a million events.
DATABASE_WORK_MEM = env("DATABASE_WORK_MEM", "64MB")


# No just-in-time compilation: PostgreSQL compiles a query to machine code when its estimated
# cost is high, and the site's queries are short and differ from request to request, so the
# compiling never paid back. At a million events it was 481 ms of a timeline histogram's
# 1,427 (EXPLAIN ANALYZE of the actor filter's GROUP BY).
SESSION_SETTINGS = f"-c work_mem={DATABASE_WORK_MEM} -c jit=off"


def with_session_settings(config: Any) -> Any:
    options = config.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} {SESSION_SETTINGS}".strip()
    return config


with_session_settings(DATABASES["default"])
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured(
        "ConflictKB runs on PostgreSQL only; DATABASE_URL must be postgres://…"
    )

# --- Read replicas (optional) ---------------------------------------------------------------
# DATABASE_REPLICA_URLS: comma-separated URLs of streaming replicas of DATABASE_URL. Reads go
# to them in turn; writes, and reads after a write, go to the primary (core/db_router.py).
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _replica = dj_database_url.parse(
        _url, conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    if not _replica["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must be postgres://… URLs")
    with_session_settings(_replica)
    # Tests run against one server: there each replica is the primary's test database.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(0, "core.db_router.ReadYourWritesMiddleware")
# Seconds a browser keeps reading from the primary after a POST, PUT, PATCH or DELETE.
REPLICA_PIN_SECONDS = int(env("REPLICA_PIN_SECONDS", "5"))
# --- end of read replicas -------------------------------------------------------------------

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The dates an event can have: a date outside them is a typo (2100, 0001-01-01), refused by
# the admin, the API and the importers alike (events.models.date_out_of_range).
EVENT_DATES_FROM = datetime.date.fromisoformat(env("EVENT_DATES_FROM", "1900-01-01"))
EVENT_DATES_AHEAD_DAYS = int(env("EVENT_DATES_AHEAD_DAYS", "366"))
# The audit trail's copies of foreign keys: plain ids without indexes (core/audit.py).
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
# ConflictKB installs its own _pgh_attach_context, which checks the site's signature
# (core.audit.install_audit_guard); pghistory's would replace it after every migrate.
PGHISTORY_INSTALL_CONTEXT_FUNC_ON_MIGRATE = False
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Typed web addresses without a scheme mean https (Django 6's default, opted into now).
FORMS_URLFIELD_ASSUME_HTTPS = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; tests and development serve files as they are.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

LOGIN_URL = "admin:login"
# The largest file the admin's import page takes (the commands take any size).
IMPORT_UPLOAD_MAX_MB = int(env("IMPORT_UPLOAD_MAX_MB", "200"))
# Failed sign-ins allowed per address and per username within 15 minutes.
LOGIN_FAILURES_ALLOWED = int(env("LOGIN_FAILURES_ALLOWED", "5"))

CACHES = {
    # Shared by every process (a table migrate creates): the sign-in limit and the API
    # throttles count across all of gunicorn's workers (core/cache.py).
    "default": {"BACKEND": "core.cache.SharedCache"},
    # Each process's own memory: answers, counts and menus kept until the data changes, which
    # every process checks against the data version itself (core/data_version.py).
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# Whole responses for anonymous readers, until the data changes (core/reader_cache.py).
READER_CACHE = env_bool("READER_CACHE", True)

# --- Site -----------------------------------------------------------------------------------
SITE_NAME = "ConflictKB"
# Tiles cannot be reached from every network; the map still draws its markers without them.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per client address (anonymous) or user; "off" for none (a load test from one address).
    # Anonymous clients are held to both rates.
    "DEFAULT_THROTTLE_RATES": {
        "anon": throttle_rate("API_THROTTLE_ANON", "120/minute"),
        "user": throttle_rate("API_THROTTLE_USER", "1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    # Tags from the path after /api/v1/ (events, claims, …); ACLED's and UCDP's APIs at /api/
    # tag themselves.
    "SCHEMA_PATH_PREFIX": r"/api/(v1/)?",
    # ConflictKB's own resources first, then the datasets' APIs it also speaks.
    "TAGS": [
        *({"name": name} for name in ("events", "claims", "actors", "actor-relations", "places")),
        *({"name": name} for name in ("event-types", "documents", "outlets", "deleted")),
        {
            "name": "ACLED-compatible",
            "description": "ACLED's read API at /api/, for ACLED's clients (ACLED_API_HOST).",
        },
        {
            "name": "UCDP-compatible",
            "description": "UCDP's GED API at /api/gedevents/{version}, for UCDP's clients.",
        },
    ],
    "TITLE": "ConflictKB API",
    "DESCRIPTION": "Armed-conflict events with the claims, claimants and documents behind them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind" and a "status": name each choice set after what it is.
    "ENUM_NAME_OVERRIDES": {
        "ActorKindEnum": "actors.models.ActorKind",
        "NameKindEnum": "actors.models.NameKind",
        "RelationKindEnum": "actors.models.RelationKind",
        "LocationKindEnum": "events.models.LocationKind",
        "EventRelationKindEnum": "events.models.EventRelationKind",
        "OutletKindEnum": "sources.models.OutletKind",
        "ClaimKindEnum": "sources.models.ClaimKind",
        "ClaimStatusEnum": "sources.models.ClaimStatus",
        "PublicationEnum": "core.models.Publication",
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING"),
    },
}
