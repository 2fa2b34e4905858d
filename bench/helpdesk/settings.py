"""A minimal Django project around django-helpdesk 2.6.1, configured as its documentation
asks (INSTALLED_APPS, SITE_ID, the helpdesk URLs) and otherwise as zongzhi runs in
production: PostgreSQL with persistent connections, DEBUG off, zh-hans, Asia/Shanghai.

The database is the server DATABASE_URL names, but a database of its own ("helpdesk" unless
HELPDESK_BENCH_DB says otherwise), which run.py drops and creates.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

DEBUG = False  # DEBUG keeps every query in memory: it would inflate both time and RSS
SECRET_KEY = "bench-only-not-a-secret-0123456789-0123456789-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",  # helpdesk's templates link to the admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",  # helpdesk builds e-mail links from the current Site
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # helpdesk's templates use it
    "rest_framework",  # the ticket API and the ticket list's data request
    "helpdesk",
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "urls"
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
            ],
        },
    },
]


def database_from_url(url: str, name: str) -> dict[str, object]:
    """Django's DATABASES entry for a postgres:// URL, with another database name.

    Handles what scripts/with-postgres hands over (a Unix socket directory in ?host=,
    the port in ?port=) as well as user:password@host:port.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, not {parts.scheme!r}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host", parts.hostname or ""),
        "PORT": query.get("port", str(parts.port or "")),
        # As zongzhi's settings: a request reuses its process's connection.
        "CONN_MAX_AGE": 60,
    }


DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASE_NAME = os.environ.get("HELPDESK_BENCH_DB", "helpdesk")
DATABASES = {"default": database_from_url(DATABASE_URL, DATABASE_NAME)} if DATABASE_URL else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
LOGIN_URL = "/helpdesk/login/"

# Mail is built (helpdesk renders its templates for the submitter) and then dropped: there
# is no mail server here, and an in-memory outbox would grow the workers' RSS.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.com"

# --- helpdesk ---------------------------------------------------------------------------
# Teams need pinax-teams: off, as helpdesk's docs describe for a plain installation. The
# knowledge base stays on (the default): 2.6.1's urls.py fails to import without it.
HELPDESK_TEAMS_MODE_ENABLED = False
# A township's staff must see their own township's cases only, as zongzhi's scope rules
# enforce; helpdesk's way to say that is a permission per queue, granted to its staff.
# run.py --access all turns it off (every staff member sees every queue), to show what the
# per-queue checks cost.
HELPDESK_ENABLE_PER_QUEUE_STAFF_PERMISSION = os.environ.get("HELPDESK_BENCH_ACCESS") != "all"
HELPDESK_API_ENABLED = True  # the default, stated: creation goes through the API

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # helpdesk warns for every e-mail template it lacks a locale for; keep errors only.
    "loggers": {"helpdesk": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
