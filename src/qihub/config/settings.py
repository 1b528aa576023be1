"""qihub settings, read from the environment.

One module for every deployment. The embedded default (no variables set) runs on
a SQLite file with WAL and FTS5 under ``QIHUB_DATA_DIR``; production sets
``QIHUB_MODE=production``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``
(PostgreSQL) and ``REDIS_URL`` (task queue and cache).
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("QIHUB_DATA_DIR", Path.cwd() / "var")).resolve()
SHARED_DATA_DIR = Path(
    os.environ.get(
        "QIHUB_SHARED_DATA", BASE_DIR.parent.parent.parent / "shared" / "data"
    )
).resolve()

MODE = os.environ.get("QIHUB_MODE", "embedded")
PRODUCTION = MODE == "production"
TESTING = bool(os.environ.get("PYTEST_VERSION") or os.environ.get("QIHUB_TESTING"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _embedded_secret_key() -> str:
    """A key generated once per data directory; never committed."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    try:
        SECRET_KEY = os.environ["SECRET_KEY"]
    except KeyError as exc:
        raise RuntimeError("SECRET_KEY must be set when QIHUB_MODE=production") from exc
elif TESTING:
    SECRET_KEY = "qihub-tests-only-not-secret"  # noqa: S105
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()

# Off unless asked for (QIHUB_DEBUG=1): the debug pages show tracebacks and
# local paths to anyone. Static files are served by whitenoise either way.
DEBUG = _env_bool("QIHUB_DEBUG", _env_bool("DEBUG", False))
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver"
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip()
    for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if o.strip()
]
PUBLIC_BASE_URL = os.environ.get("QIHUB_PUBLIC_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # the API docs' own static files, not a CDN
    "django_tasks_db",
    "axes",
    "qihub.core",
    "qihub.vocab",
    "qihub.organisations",
    "qihub.catalog",
    "qihub.requirements",
    "qihub.lifecycle",
    "qihub.declarations",
    "qihub.metrology",
    "qihub.international",
    "qihub.programmes",
    "qihub.alerts",
    "qihub.conformity",
    "qihub.pool",
    "qihub.sharing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qihub.core.audit_context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qihub.core.error_pages.OutOfRangeMiddleware",
    # Last: answers a locked-out login (django-axes).
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (Django's own): scripts only from this site (htmx
# and the API docs are served from static files; no template has an inline
# script or handler), no plugins, no framing, forms post only here. Styles
# also inline: templates and the server-rendered SVG charts set style
# attributes, and htmx adds its indicator style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Login throttling (django-axes): after QIHUB_LOGIN_FAILURES wrong passwords
# for one user name from one address, that pair is locked out for
# QIHUB_LOGIN_COOLOFF_MINUTES (a 429 page); a right password resets the
# count. Covers the site's and the admin's login. Off in tests except where
# a test turns it on (the test client logs in without a request).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = not TESTING
AXES_FAILURE_LIMIT = int(os.environ.get("QIHUB_LOGIN_FAILURES", 5))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("QIHUB_LOGIN_COOLOFF_MINUTES", 15))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "qihub.config.urls"
WSGI_APPLICATION = "qihub.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qihub.core.context_processors.roles",
            ],
        },
    },
]

# Database: the embedded SQLite file unless DATABASE_URL says otherwise.
_default_db_url = f"sqlite:///{DATA_DIR / 'qihub.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db_url), conn_max_age=600
    )
}
# Connections outlive a request (each web worker thread keeps its own): on
# SQLite a new one per request ran the PRAGMAs below, read the schema and
# started with a cold page cache, which made a catalogue search four times
# slower (bench/catalogue.py: 1.1 ms against 4.3 ms at its median).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE avoids
        # "database is locked" upgrades in write transactions.
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            # Writers wait for the one writer (a large import) this long
            # before the request is answered 503 with Retry-After.
            f"PRAGMA busy_timeout={int(os.environ.get('QIHUB_SQLITE_BUSY_MS', '30000'))};"
            "PRAGMA cache_size=-65536;"
            "PRAGMA mmap_size=268435456;"
            "PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
if os.environ.get("QIHUB_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["QIHUB_TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")

# Background jobs through django.tasks: immediate in tests, the database
# backend with `qihub worker` on the embedded default, Redis in production.
_task_backend = os.environ.get(
    "QIHUB_TASK_BACKEND",
    "immediate" if TESTING else ("redis" if REDIS_URL else "database"),
)
if _task_backend == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
elif _task_backend == "redis":
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_redis.backends.RedisTaskBackend",
            "OPTIONS": {"REDIS_URL": REDIS_URL or "redis://127.0.0.1:6379/0"},
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
if _task_backend == "redis" and "django_tasks_redis" not in INSTALLED_APPS:
    INSTALLED_APPS.append("django_tasks_redis")

if REDIS_URL and not TESTING:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
elif TESTING:
    # Tests keep a per-process cache (cleared with the process); the shared
    # backends are tested in core/tests/test_shared_cache.py.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # The embedded default shares rate-limit and throttle counts between
    # worker processes through the database (table made by core 0004).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "qihub_cache",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = os.environ.get("QIHUB_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("QIHUB_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Mail: console output on the embedded default, SMTP in production (tests
# switch every mailer to the in-memory outbox).
_mail_backend = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_mail_options = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": _env_bool("EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qihub <noreply@localhost>")

if PRODUCTION:
    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)
    # Behind a proxy that terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain HTTP is redirected to HTTPS, and browsers told to keep to HTTPS
    # (HSTS) for a year; 0 turns HSTS off (e.g. while trying TLS out).
    SECURE_SSL_REDIRECT = _env_bool("QIHUB_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("QIHUB_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("QIHUB_HSTS_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = _env_bool("QIHUB_HSTS_PRELOAD", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"jieba": {"level": "ERROR"}},
}

# API pagination default and upper bound.
NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_LIMIT = 200

# Where each domain's demo data loader lives, in load order.
QIHUB_DEMO_LOADERS = [
    "qihub.core.demo.load",
    "qihub.vocab.demo.load",
    "qihub.catalog.demo.load",
    "qihub.organisations.demo.load",
    # Declarations first: their demo enterprises declared before the
    # machine-readable GB 31701 with its full set of limits was imported.
    "qihub.declarations.demo.load",
    "qihub.requirements.demo.load",
    "qihub.lifecycle.demo.load",
    "qihub.metrology.demo.load",
    "qihub.international.demo.load",
    "qihub.programmes.demo.load",
    "qihub.conformity.demo.load",
    "qihub.alerts.demo.load",
    "qihub.pool.demo.load",
    "qihub.sharing.demo.load",
]
# ``qihub demo --second-instance``: a second instance sharing the first's
# catalogue (README, "Sharing between institutes").
QIHUB_DEMO_SECOND_LOADERS = [
    "qihub.core.demo.load",
    "qihub.vocab.demo.load",
    "qihub.sharing.demo.load_second",
]

# A network whose combined counts take longer than this (ms) keeps them
# (organisations.tallies); in tests only the tests that ask for it.
QIHUB_NETWORK_TALLY_MS = int(
    os.environ.get("QIHUB_NETWORK_TALLY_MS", 10**9 if TESTING else 60)
)
