"""Settings for zongzhi, read from environment variables only.

The defaults make `make demo` work on a fresh machine (SQLite, DEBUG on, a throwaway
secret key). A production deployment sets at least DJANGO_SECRET_KEY, DJANGO_DEBUG=false,
DJANGO_ALLOWED_HOSTS and DATABASE_URL (PostgreSQL); `manage.py check --deploy` tells what
else is missing.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
_DEMO_SECRET = "demo-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEMO_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")

# Keys that encrypt identity numbers at rest (Fernet, comma-separated: the first encrypts,
# all decrypt, so a key can be rotated). Kept apart from the secret key and the database:
# a copy of the database alone reveals no identity number.
_DEMO_FIELD_KEY = "ZGVtby1vbmx5LWZpZWxkLWtleS1jaGFuZ2UtbWUtMDA="
FIELD_ENCRYPTION_KEYS = env_list("ZONGZHI_FIELD_KEYS", [_DEMO_FIELD_KEY] if DEBUG else [])
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("ZONGZHI_FIELD_KEYS must be set when DJANGO_DEBUG is false")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    # Before django.contrib.auth: its createsuperuser checks the password policy also
    # without prompts (zongzhi.accounts.management.commands.createsuperuser).
    "zongzhi.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    # The API's reader (/api/docs) from ninja's own static files, not from a CDN: no page
    # loads anything from the internet, and the Content-Security-Policy would refuse it.
    "ninja",
    "axes",
    # Two-factor sign-in: TOTP (an authenticator app) and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "zongzhi.core",
    "zongzhi.regions",
    "zongzhi.categories",
    "zongzhi.units",
    "zongzhi.workdays",
    "zongzhi.cases",
    "zongzhi.intake",
    "zongzhi.hazards",
    "zongzhi.screening",
    "zongzhi.briefings",
    "zongzhi.ledgers",
    "zongzhi.care",
    "zongzhi.analytics",
    "zongzhi.notifications",
    "zongzhi.portal",
    "zongzhi.open311",
    "zongzhi.home",
    "zongzhi.benchmarks",
    "zongzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # SECURE_CSP below; its nonce reaches templates as csp_nonce (context processor).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Static files from the application itself (no proxy needed), before any middleware
    # that would spend a session or a database query on them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zongzhi.core.middleware.ChosenLanguageMiddleware",
    "zongzhi.core.middleware.RefuseUnsafeTextMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user verified once they passed the second step this session.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages (it leaves one) and before LoginRequiredMiddleware's view check.
    "zongzhi.core.middleware.IdleSessionTimeoutMiddleware",
    # After the idle timeout (a signed-out person is sent to sign in, not to verify).
    "zongzhi.accounts.middleware.TwoFactorMiddleware",
    # After authentication, so its 413 page is the site's own; it reads the body before
    # any middleware's process_view.
    "zongzhi.core.middleware.RequestSizeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zongzhi.core.context_processors.navigation",
            ],
        },
    },
]

# SQLite is the embedded default; production runs PostgreSQL via DATABASE_URL.
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zongzhi.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A persistent connection is checked before each request reuses it, so the first
        # request after a database restart gets a new connection rather than a server error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend refuses authentication while a login is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Checked wherever a password is set: the person's own change, the admin's user forms and
# createsuperuser (zongzhi.accounts.management.commands.createsuperuser, also without
# prompts). Django's messages come in Chinese from its own zh_Hans catalogue.
ZONGZHI_PASSWORD_MIN_LENGTH = env_int("ZONGZHI_PASSWORD_MIN_LENGTH", 10)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "full_name", "phone", "email"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": ZONGZHI_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling (django-axes): lock a username from one address after
# AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_MINUTES; the address is the client's, read
# through ZONGZHI_PROXY_HOPS (behind a proxy, the proxy's own address would make one lock
# for everybody). An address with ZONGZHI_LOGIN_ADDRESS_FAILURES failures across accounts
# in that time may not try again until it passes (password spraying).
# How many reverse proxies stand in front of the web process: the portal's per-IP limits
# read the sender's address that many hops from the right of X-Forwarded-For (0: the
# connection's own address). Set it behind a proxy, or every resident shares one limit.
ZONGZHI_PROXY_HOPS = env_int("ZONGZHI_PROXY_HOPS", 0)
# The same request registered again within this many minutes (a browser's back button and
# resubmit, a double call from the hotline) is recognised and answered with the first case.
ZONGZHI_DUPLICATE_MINUTES = env_int("ZONGZHI_DUPLICATE_MINUTES", 10)
# Same-source detection (疑似重复): a new request is compared with the cases of its township
# registered within this many days that are still open or just closed.
ZONGZHI_SAME_SOURCE_DAYS = env_int("ZONGZHI_SAME_SOURCE_DAYS", 90)
# How many writes (POST, PUT, PATCH, DELETE) one API key may make a minute, on the REST API
# and Open311 together; beyond, 429 with Retry-After. Counted in the database, so every web
# process shares it. 0: no limit.
ZONGZHI_API_WRITES_PER_MINUTE = env_int("ZONGZHI_API_WRITES_PER_MINUTE", 120)
# How long the audit log (sign-ins, exports, API keys, role changes, reads of parties from
# outside a case's units) is kept; older entries are pruned every night.
ZONGZHI_AUDIT_DAYS = env_int("ZONGZHI_AUDIT_DAYS", 365)
# The dashboard warns when its figures were last refreshed longer ago than this (the
# refresh runs every five minutes while the worker and the scheduler run).
ZONGZHI_FIGURES_STALE_MINUTES = env_int("ZONGZHI_FIGURES_STALE_MINUTES", 15)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "zongzhi.core.http.client_address"
ZONGZHI_LOGIN_ADDRESS_FAILURES = env_int("ZONGZHI_LOGIN_ADDRESS_FAILURES", 30)
# One account that has failed this many times within the cool-off, from any addresses
# together, may not try again until it passes: a guess spread over many addresses (each
# under AXES_FAILURE_LIMIT) is slowed. Higher than AXES_FAILURE_LIMIT, because anybody can
# push an account there: the person then waits out the cool-off like everybody else.
ZONGZHI_LOGIN_ACCOUNT_FAILURES = env_int("ZONGZHI_LOGIN_ACCOUNT_FAILURES", 20)
# Two-factor sign-in (zongzhi.accounts.twofactor): people holding one of these roles must
# enrol an authenticator app before any page, and give a code at every sign-in; everybody
# else may enrol from 账号安全. A wrong code counts as a failed sign-in for the lockout.
ZONGZHI_TWO_FACTOR_REQUIRED_ROLES = env_list(
    "ZONGZHI_TWO_FACTOR_REQUIRED_ROLES", ["administrator", "care_supervisor"]
)
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env_str("ZONGZHI_TWO_FACTOR_ISSUER", "综治中心")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "zongzhi" / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# How large a request may be (zongzhi.core.middleware.RequestSizeMiddleware answers 413
# beyond). Text — form fields and JSON bodies, held in memory — up to 2 MB: the longest
# form (a 5,000-character description and a few notes) is some 50 KB of UTF-8, so this
# stops only pasted nonsense. Files in a multipart request do not count towards it; the
# whole request carrying them may be 100 MB (ten files of at most 20 MB each is the
# attachment rule, cases.files; most are phone photos of a few MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ZONGZHI_TEXT_MAX_BYTES", 2 * 1024 * 1024)
ZONGZHI_UPLOAD_MAX_BYTES = env_int("ZONGZHI_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 20

STATIC_URL = "static/"
# `make serve` collects the static files here (hashed names, gzip copies) before starting;
# WhiteNoise serves them, with a year's caching for the hashed names.
STATIC_ROOT = Path(env_str("ZONGZHI_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("ZONGZHI_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "zongzhi.core.staticfiles.StaticStorage"
    },
}

TASKS = {
    "default": {
        "BACKEND": env_str("ZONGZHI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The scheduled jobs `run_scheduler` enqueues (a function returning core.scheduler.Periodic).
ZONGZHI_SCHEDULE = "config.schedule.jobs"

# The nightly backup (zongzhi.core.backups) writes here and keeps the newest
# ZONGZHI_BACKUP_KEEP. On by default, in var/backups: a backup nobody configured still
# exists after a bad delete or a failed upgrade; point it at another disk (or copy it off the
# machine) to survive losing this one. Set it empty to turn the nightly backup off.
ZONGZHI_BACKUP_DIR = env_str("ZONGZHI_BACKUP_DIR", str(VAR_DIR / "backups"))
ZONGZHI_BACKUP_KEEP = env_int("ZONGZHI_BACKUP_KEEP", 14)
if ZONGZHI_BACKUP_KEEP < 1:
    raise ImproperlyConfigured("ZONGZHI_BACKUP_KEEP must be at least 1")
# What `manage.py restore` runs after the data is back (core names them, imports no app):
# the figures are computed again from the restored cases.
ZONGZHI_AFTER_RESTORE = ["zongzhi.analytics.rollups.rebuild_rollups"]
# Background work that survives (zongzhi.core.heartbeats, leases, health): the worker and
# the scheduler write a heartbeat this often; /healthz calls one stale after three missed.
ZONGZHI_HEARTBEAT_SECONDS = env_int("ZONGZHI_HEARTBEAT_SECONDS", 30)
# A task RUNNING longer than this whose worker has no fresh heartbeat (killed, its machine
# gone) goes back to the queue; after ZONGZHI_TASK_MAX_ATTEMPTS such losses it is FAILED.
ZONGZHI_TASK_LEASE_SECONDS = env_int("ZONGZHI_TASK_LEASE_SECONDS", 300)
ZONGZHI_TASK_MAX_ATTEMPTS = env_int("ZONGZHI_TASK_MAX_ATTEMPTS", 3)
# Finished task results (the queue's rows) are deleted after this many days.
ZONGZHI_TASK_RESULTS_DAYS = env_int("ZONGZHI_TASK_RESULTS_DAYS", 14)
# What /healthz and the 系统状态 page watch: heartbeat name → the age in seconds beyond
# which it is stale. The deadline sweep runs hourly; two missed runs are a fault.
ZONGZHI_HEALTH_HEARTBEATS = {
    "worker": 3 * ZONGZHI_HEARTBEAT_SECONDS,
    "scheduler": 3 * ZONGZHI_HEARTBEAT_SECONDS,
    "deadline_sweep": env_int("ZONGZHI_SWEEP_STALE_MINUTES", 150) * 60,
}

_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_MAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else _SMTP,
)
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": {
            "host": env_str("DJANGO_EMAIL_HOST", "localhost"),
            "port": env_int("DJANGO_EMAIL_PORT", 25),
            "username": env_str("DJANGO_EMAIL_USER", ""),
            "password": env_str("DJANGO_EMAIL_PASSWORD", ""),
            "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", False),
        }
        if _MAIL_BACKEND == _SMTP
        else {},
    }
}
# Where the site is reached from outside: links in e-mails (the daily report) start here.
ZONGZHI_SITE_URL = env_str("ZONGZHI_SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "zongzhi@localhost")

SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preloading is a decision for the deployment: it cannot be undone quickly.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    # Covering indexes (INCLUDE) are for PostgreSQL; SQLite, the demo's, builds them without
    # the extra columns, which is all a demo needs.
    "models.W040",
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY", False) else None
)
# Content-Security-Policy (Django's own): scripts only from the site itself or an inline
# <script> carrying the request's nonce; no page loads anything from elsewhere, nothing
# frames the site. Style attributes stay allowed (style-src-attr): ECharts' tooltips and
# Leaflet write them; <style> elements and style sheets come from the site only (htmx's
# indicator styles are in core/site.css, see base.html's htmx-config).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    # Leaflet's and ECharts' images may be data: or blob: URLs made in the page.
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_SECONDS", 8 * 3600)
# Signed out after this long without a request, however young the session.
ZONGZHI_IDLE_MINUTES = env_int("ZONGZHI_IDLE_MINUTES", 30)

# Where the demo and the import command find the national division-code files.
ZONGZHI_DIVISIONS_DIR = Path(
    env_str("ZONGZHI_DIVISIONS_DIR", str(BASE_DIR.parent / "shared" / "data" / "divisions"))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SITE_TITLE = _("综治中心工作平台")
