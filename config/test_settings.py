"""Test settings: fast hashing, tasks run at once, no outgoing mail."""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Persistent connections from the live-server thread would block dropping test databases.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Each test database gets its tables from the models and then the migrations' data
# (zongzhi/core/testing.py): a sixth of the time of applying every migration. One test
# applies the real migrations and compares (core/tests/test_migrations.py).
DATABASES["default"]["TEST"] = {"MIGRATE": False}  # noqa: F405
# No nightly backups from the tests' schedule runs; a test that backs up names its directory.
ZONGZHI_BACKUP_DIR = ""
# The cast fixture signs people in with force_login and no second factor: enforcement is
# off here, and the two-factor tests turn it back on with the `settings` fixture.
ZONGZHI_TWO_FACTOR_REQUIRED_ROLES = []
# WhiteNoise looks a static file up when asked for one instead of listing STATIC_ROOT each
# time a test client starts (and warning when nothing has been collected there).
WHITENOISE_AUTOREFRESH = True
