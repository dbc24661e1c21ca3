"""Settings, read from the environment (DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, and the
production ones documented in docs/deployment.md: HTTPS, CSRF_TRUSTED_ORIGINS, CONN_MAX_AGE,
AXES_PROXY_COUNT, ANSINH_LOG_FORMAT).

Without DATABASE_URL the embedded SQLite database under var/ is used (``make demo``);
production and CI point DATABASE_URL at PostgreSQL.
"""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ansinh.config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)
_DEV_SECRET = "insecure-development-key-do-not-use-in-production"
# Only a DEBUG (development) server may run on the well-known development key.
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ansinh.config.apps.AxesConfig",  # django-axes, named in Vietnamese in the admin
    "ansinh.config.apps.ProjectConfig",  # its commands (makemessages with N_) and its English catalogue
    "csp",  # Content-Security-Policy header (CSP settings below)
    "django_prometheus",  # request metrics at /metrics (config/metrics.py)
    "ninja",  # its bundled Swagger/ReDoc assets for /api/docs (no CDN)
    "django_tasks",  # the job queue's API (docs/adr/0014-job-queue.md)
    "django_tasks_db",  # its jobs table, in this database
    "ansinh.ruleset",
    "ansinh.jobs",  # the worker's leases, retries and schedules
    "ansinh.areas",
    "ansinh.org",
    "ansinh.registry",
    "ansinh.enrollment",
    "ansinh.payments",
    "ansinh.campaigns",
    "ansinh.fieldsync",
    "ansinh.messaging",
    "ansinh.reports",
    "ansinh.web",
    "ansinh.demo",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # request metrics (config/metrics.py)
    # The language switch's cookie, else Vietnamese (not Accept-Language); it reads no body, so refusals speak it.
    "ansinh.config.middleware.Language",
    # First to read: an oversize body is refused (413) before any middleware reads it.
    "ansinh.config.middleware.RequestSizeLimit",
    "ansinh.config.middleware.NoNulCharacters",  # PostgreSQL cannot take NUL in text: 400, not a 500
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app itself, so a server with DEBUG off has its CSS (docs/deployment.md).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ansinh.config.middleware.RequestId",  # a request id on every log line and response
    "ansinh.config.middleware.RateLimits",  # 429 beyond the rate on the public quotes and the login form
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy: scripts from ansinh's own static files only
    # Last, as django-axes requires: turns lockouts into a readable 403 page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "ansinh.config.urls"
WSGI_APPLICATION = "ansinh.config.wsgi.application"

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

# Each worker thread holds at most one connection; CONN_MAX_AGE=0 (the default) closes it after each
# request, so a deployment opens at most workers × threads (+ the job worker) connections
# (docs/deployment.md), and a connection the database terminated costs at most the request in flight
# (health checks before reuse when CONN_MAX_AGE > 0).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'ansinh.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Read replica (config/routers.py, docs/deployment.md): with DATABASE_REPLICA_URL (a streaming standby of
# the primary) the dashboards' reads go to the "replica" alias; every write and every other read to
# "default". Without it the alias is the primary's own settings and unused. In tests it is a TEST MIRROR
# of default (no second test database), so the routing is tested on either engine.
_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
ANSINH_READ_REPLICA = bool(_REPLICA_URL)
DATABASES["replica"] = {
    **(dj_database_url.parse(_REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 0), conn_health_checks=True)
       if _REPLICA_URL else DATABASES["default"]),
    "TEST": {"MIRROR": "default"},
}
DATABASE_ROUTERS = ["ansinh.config.routers.ReplicaRouter"]
MIDDLEWARE.append("ansinh.config.routers.DashboardReadsOnReplica")  # last: see the router's docstring

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies older hashes, upgraded at next login
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Repeated failed logins lock the username (from that address) out for a while.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind a reverse proxy the client address is the N-th entry from the right of X-Forwarded-For, N being
# the number of trusted proxies; 0 (no proxy) reads REMOTE_ADDR, so no client can pick its own address
# (org/security_log.client_address, shared by axes, the rate limits and the security log).
ANSINH_TRUSTED_PROXIES = env_int("AXES_PROXY_COUNT", 0)  # the variable keeps its documented name
AXES_CLIENT_IP_CALLABLE = "ansinh.org.security_log.client_ip"
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"

# Content-Security-Policy (django-csp): scripts only from ansinh's own static files, never inline (the
# pages' behaviour is in web/static/web/*.js, their data in json_script blocks); styles may be inline
# (style attributes in the templates, and the 58 mm receipt's measured page size); nothing is framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# A user's resolved scope is cached (org/scope.scope_for), under a version that a change of a grant, an org
# unit or the map renews; with the default per-process cache another process sees the change within this.
ANSINH_SCOPE_SECONDS = env_int("ANSINH_SCOPE_SECONDS", 30)

# Requests per client address (config/middleware.RateLimits), on the default cache. The default cache is
# each process's memory, so with W server processes a client may reach up to W × the rate; a deployment
# that needs one shared count points CACHES at a shared cache (docs/deployment.md).
ANSINH_RATE_QUOTE = os.environ.get("ANSINH_RATE_QUOTE", "120/m")  # quote page and /api/quotes/
# Who may read /metrics: socket addresses of the scrapers (comma-separated), this machine by default.
ANSINH_METRICS_ALLOW = frozenset(a.strip() for a in os.environ.get("ANSINH_METRICS_ALLOW", "127.0.0.1,::1").split(",")
                                 if a.strip())
ANSINH_RATE_LOGIN = os.environ.get("ANSINH_RATE_LOGIN", "20/m")  # POSTs of the login form
# The citizen's page (/tra-cuu/): code requests and code entries per client address, and code requests
# per citizen ID (whoever asks), so a phone is not flooded and an ID is not guessed at.
ANSINH_RATE_CITIZEN = os.environ.get("ANSINH_RATE_CITIZEN", "10/h")
ANSINH_RATE_CITIZEN_ID = os.environ.get("ANSINH_RATE_CITIZEN_ID", "3/h")
# Receipt numbers reserved for an offline device at registration (fieldsync; issue 16): one block per device.
ANSINH_DEVICE_BLOCK_SIZE = env_int("ANSINH_DEVICE_BLOCK_SIZE", 50)
# Where texts to citizens go, per channel (messaging/gateways.py). The default writes them to a file.
ANSINH_GATEWAYS: dict[str, dict[str, object]] = {
    "sms": {"CLASS": "ansinh.messaging.gateways.FileGateway",
            "path": os.environ.get("ANSINH_MESSAGES_FILE") or str(VAR_DIR / "messages.jsonl")},
}
# The outbox (messaging/outbox.py): at most one text per person in this many hours, retries with a doubling
# backoff, reminders this many days before a due date; callbacks signed with this secret (callbacks.py).
ANSINH_MESSAGE_CAP_HOURS = env_int("ANSINH_MESSAGE_CAP_HOURS", 72)
ANSINH_MESSAGE_MAX_ATTEMPTS = env_int("ANSINH_MESSAGE_MAX_ATTEMPTS", 5)
ANSINH_MESSAGE_BACKOFF_SECONDS = env_int("ANSINH_MESSAGE_BACKOFF_SECONDS", 300)
ANSINH_REMIND_BEFORE_DAYS = env_int("ANSINH_REMIND_BEFORE_DAYS", 7)
ANSINH_MESSAGE_CALLBACK_SECRET = os.environ.get("ANSINH_MESSAGE_CALLBACK_SECRET", "")  # empty: callbacks refused
# The address citizens reach the app at (links in texts: the citizen page /tra-cuu/).
ANSINH_PUBLIC_URL = env_str("ANSINH_PUBLIC_URL", "http://127.0.0.1:8000")
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:search"
LOGOUT_REDIRECT_URL = "web:login"

# Issue 11: "73920461" was accepted. Ten characters at least, not only digits (a phone or ID number),
# not a common password, not close to the user's own name or e-mail.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Vietnamese"), ("en", "English")]  # the switch shows each in its own (name_local)
# config/locale/vi: Vietnamese for django-axes' admin (issue 13 #10). The packages that are no Django app
# (api, lib, rules, cli) keep their English catalogue in their own locale/ too; the apps' are found by Django.
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"] + [
    Path(__file__).resolve().parent.parent / package / "locale" for package in ("api", "lib", "rules", "cli")]
# The interface in English too (issue 15): each app's catalogue in <app>/locale/en (msgids are the
# Vietnamese text; `make messages`). The language is the switch's cookie, Vietnamese without it.
LANGUAGE_COOKIE_NAME = "ansinh_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# The facts' uniqueness (with NULL collector/agent) is enforced by PostgreSQL; SQLite cannot express
# it, and `reports.services.refresh` deletes a period before rewriting it, so the warning is moot there.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# Request bodies (API JSON and page forms) are at most 1 MB: the largest legitimate one (a household
# with its members) is a few kB. Larger bodies get HTTP 413 (config/middleware.py). An upload
# endpoint, when one comes, raises the limit for its own path there.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000

# Private files (exports with personal data, task attachments): under var/private, which no web
# server serves; the app hands an export only to its owner (web/export_views.py).
MEDIA_URL = "private/"
MEDIA_ROOT = Path(os.environ.get("ANSINH_PRIVATE_DIR") or VAR_DIR / "private")
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # `manage.py collectstatic` for a reverse proxy that serves them itself
WHITENOISE_USE_FINDERS = True  # without collectstatic, whitenoise serves the apps' static folders
# ... so a missing STATIC_ROOT (no collectstatic run) is normal, not worth a warning on every start.
warnings.filterwarnings("ignore", message="No directory at: ")

# HTTPS behind a reverse proxy (HTTPS=1 in production; docs/deployment.md). The proxy sets
# X-Forwarded-Proto; cookies are Secure; browsers are told to use HTTPS for a year.
HTTPS = env_bool("HTTPS", default=False)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # the load balancer probes over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # a staff session lasts a working day
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Logs: one JSON object per line in production (ANSINH_LOG_FORMAT=json), plain text otherwise; every
# line carries the request id. The `ansinh.security` logger records logins, failed logins, lockouts,
# reveals of personal data, exports and refusals (org/security_log.py).
LOG_FORMAT = os.environ.get("ANSINH_LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("ANSINH_LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ansinh.config.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"ansinh.security": {"level": "INFO"}, "ansinh.requests": {"level": "INFO"}},
}

# The job queue (docs/adr/0014-job-queue.md): Django's Tasks API with its database backend, run by
# `ansinh worker`. A claimed job is held for LEASE_SECONDS, renewed every HEARTBEAT_SECONDS while it runs;
# a failed attempt is retried after BACKOFF_SECONDS × 2^(attempt−1) (at most BACKOFF_MAX_SECONDS), up to
# MAX_ATTEMPTS attempts. A worker with nothing to do looks again every POLL_SECONDS.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ANSINH_JOBS = {
    "LEASE_SECONDS": env_int("ANSINH_JOB_LEASE_SECONDS", 120),
    "HEARTBEAT_SECONDS": env_int("ANSINH_JOB_HEARTBEAT_SECONDS", 20),
    "MAX_ATTEMPTS": env_int("ANSINH_JOB_MAX_ATTEMPTS", 5),
    "BACKOFF_SECONDS": env_int("ANSINH_JOB_BACKOFF_SECONDS", 30),
    "BACKOFF_MAX_SECONDS": env_int("ANSINH_JOB_BACKOFF_MAX_SECONDS", 3600),
    "POLL_SECONDS": float(os.environ.get("ANSINH_JOB_POLL_SECONDS", "1")),
}
LOGGING["loggers"]["ansinh.jobs"] = {"level": "INFO"}  # type: ignore[index]
