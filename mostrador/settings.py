"""Settings come from the environment (CONTRACT.md): DATABASE_URL, REDIS_URL, MOSTRADOR_*."""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("MOSTRADOR_DATA_DIR", "var")).resolve()

def _secret_key() -> str:
    """MOSTRADOR_SECRET_KEY, or else a key made once for this installation and kept in the data
    dir (readable by its owner only): never a key published with the code, which would let anyone
    forge sessions and decrypt every inbox's credentials."""
    given = os.environ.get("MOSTRADOR_SECRET_KEY", "").strip()
    if given:
        return given
    path = DATA_DIR / "secret_key"
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    with os.fdopen(handle, "w") as out:
        out.write(key)
    sys.stderr.write(f"Mostrador made a secret key for this installation and keeps it in {path}: back it up with the database.\n")
    return key


SECRET_KEY = _secret_key()
# Earlier keys, still accepted while a new one takes over (sessions, sealed credentials).
SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("MOSTRADOR_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]
DEBUG = os.environ.get("MOSTRADOR_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("MOSTRADOR_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("MOSTRADOR_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# The channels this installation speaks: one package each under connectors/, each registering
# its connector (connectors/base.py) when imported.
MOSTRADOR_CONNECTORS = [
    "mostrador.connectors.api",
    "mostrador.connectors.whatsapp",
    "mostrador.connectors.telegram",
]
# A channel's sandbox (a fake of its provider, for the demo and tests) is an app of its own.
CONNECTOR_APPS = [
    f"{module}.sandbox" for module in MOSTRADOR_CONNECTORS
    if (PROJECT_DIR / module.replace(".", "/") / "sandbox" / "apps.py").exists()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Its app serves the API docs (Swagger UI) from the static files bundled with the package,
    # not from a CDN: the docs work offline.
    "ninja",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "mostrador.core",
    "mostrador.jobs",
    "mostrador.accounts",
    "mostrador.inbox",
    "mostrador.realtime",
    "mostrador.intake",
    "mostrador.bots",
    "mostrador.cases",
    "mostrador.quotes",
    "mostrador.teamwork",
    "mostrador.reports",
    "mostrador.canned",
    "mostrador.turbo",
    "mostrador.catchup",
    "mostrador.search",
    "mostrador.push",
    "axes",
    *CONNECTOR_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mostrador.accounts.first_run.DemoPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

# Logins: after MOSTRADOR_LOGIN_ATTEMPTS wrong passwords for one account from one address, that
# pair is locked out for a while (django-axes); a right password resets the count.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("MOSTRADOR_LOGIN_ATTEMPTS", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MOSTRADOR_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form and authenticate() call the email "username" (USERNAME_FIELD is email).
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "auth/locked.html"
AXES_VERBOSE = False

# Served over HTTPS (MOSTRADOR_HTTPS=1, or behind a proxy that says so): cookies only over TLS,
# and browsers told to come back over HTTPS only (HSTS).
if os.environ.get("MOSTRADOR_HTTPS", "") == "1":
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("MOSTRADOR_HSTS_SECONDS", str(365 * 86400)))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every page may run only our own script files: no inline script, no other origin. A message,
# a contact's name or an uploaded file that smuggles in markup therefore cannot run script.
# Styles may be inline (htmx adds its indicator style); images may be data: and blob: URLs
# (previews of a file about to be sent).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'", "ws:", "wss:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "mostrador.urls"
ASGI_APPLICATION = "mostrador.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"

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
                "django.template.context_processors.i18n",
                "mostrador.core.context.product",
            ],
        },
    },
    # One template only, the list's row, rendered hundreds of times a second (inbox/row.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "mostrador.inbox.row.environment"},
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=0)
        if db["ENGINE"].endswith("postgresql"):
            # Under ASGI, Django asks for the driver's pool instead of persistent connections.
            # Without one, every request and every round of the job workers opened a new
            # PostgreSQL connection (a backend process each), a tenth of the ingest pump's time.
            # Django has the pool check each connection as it leaves (one the server closed when
            # it restarted is replaced, not handed out); a request waits at most
            # MOSTRADOR_DB_POOL_TIMEOUT for one, so an outage is a quick 503, not a hang.
            db.setdefault("OPTIONS", {})["pool"] = {
                "min_size": 2,
                "max_size": int(os.environ.get("MOSTRADOR_DB_POOL_SIZE", "20")),
                "timeout": float(os.environ.get("MOSTRADOR_DB_POOL_TIMEOUT", "2")),
            }
            db["OPTIONS"].setdefault("connect_timeout", 2)
    else:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "mostrador.sqlite3")}
    if db["ENGINE"].endswith("sqlite3"):
        # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock up front
        # so two writers queue on the busy timeout instead of failing halfway through a transaction.
        db["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    return db


DATABASES = {"default": _database()}
# How many Django requests a process works on at once; the others wait their turn in the event
# loop (core/request_gate.py). Each running request holds a database connection: keep it under
# MOSTRADOR_DB_POOL_SIZE, which the webhook writer, live frames and jobs draw on too.
MOSTRADOR_HTTP_CONCURRENCY = int(os.environ.get("MOSTRADOR_HTTP_CONCURRENCY", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
MOSTRADOR_REDIS_PREFIX = os.environ.get("MOSTRADOR_REDIS_PREFIX", "mostrador")
# A browser left untouched this long turns its person "away" (DESIGN.md section 4).
MOSTRADOR_AWAY_AFTER_SECONDS = int(os.environ.get("MOSTRADOR_AWAY_AFTER_SECONDS", "600"))
# After a person's last tab closes, how long before they turn offline (a reload is not leaving).
MOSTRADOR_PRESENCE_GRACE_SECONDS = float(os.environ.get("MOSTRADOR_PRESENCE_GRACE_SECONDS", "3"))
# Realtime needs no channel layer: each process keeps its sockets in a hub of its own, and with
# REDIS_URL one pub/sub subscription per process carries what other processes publish
# (realtime/relay.py). Frames to one socket are at least this far apart; more events in the
# meantime ride in the next frame, so a busy inbox costs a bounded number of frames per socket.
CHANNEL_LAYERS: dict = {}
MOSTRADOR_REALTIME_FRAME_SECONDS = float(os.environ.get("MOSTRADOR_REALTIME_FRAME_SECONDS", "0.1"))
# While a list's chats keep changing, its capped history counts (Esperando cliente, Resueltos,
# Todos) are read again at most this often; a last frame after the changes stop carries the
# current ones (inbox/live_rows.Recounts). Pendientes and Con IA are exact in every frame.
MOSTRADOR_REALTIME_RECOUNT_SECONDS = float(os.environ.get("MOSTRADOR_REALTIME_RECOUNT_SECONDS", "2"))
# Whether sockets compress their frames (permessage-deflate): off unless set to 1. Each socket
# keeps its own compressor (about 50 KB) and compresses every frame again, which with a thousand
# tabs cost about 15% of serve's CPU and 50 MB; frames are a few KB of JSON and HTML.
MOSTRADOR_WS_COMPRESSION = os.environ.get("MOSTRADOR_WS_COMPRESSION", "0") == "1"

# AI agents get a queue (and an in-process worker) of their own: a slow language model must never
# hold up outbound sends or the timers that move chats to Pendientes.
# Queues are lanes of their own (jobs/lanes.py): timers never wait behind sends or AI turns.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "agents", "timers", "sends"]}}
# How often an idle job runner looks for due work; timers are honoured to within this.
MOSTRADOR_JOB_POLL_SECONDS = float(os.environ.get("MOSTRADOR_JOB_POLL_SECONDS", "0.2"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("email", "name")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Times are stored in UTC and shown in the organisation's time zone.
TIME_ZONE = os.environ.get("MOSTRADOR_TIME_ZONE", "America/Santiago")
# A person back to a chat after this long gets a summary of what happened since.
MOSTRADOR_CATCHUP_AFTER_SECONDS = int(os.environ.get("MOSTRADOR_CATCHUP_AFTER_SECONDS", "3600"))
# Who push services may write to about this installation's Web Push (VAPID's "sub" claim).
MOSTRADOR_PUSH_CONTACT = os.environ.get("MOSTRADOR_PUSH_CONTACT", "mailto:postmaster@localhost")
# The country a phone number typed without its code belongs to (ISO 3166 alpha-2).
MOSTRADOR_PHONE_REGION = os.environ.get("MOSTRADOR_PHONE_REGION", "CL").upper()

STATIC_URL = "/static/"
# Unset by default: static files are served from the package itself. Set it to run
# `mostrador collectstatic` for a front proxy to serve them instead.
STATIC_ROOT = os.environ.get("MOSTRADOR_STATIC_ROOT") or None
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/sortable", PROJECT_DIR / "node_modules" / "sortablejs"),
    ("vendor/chart", PROJECT_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/idiomorph", PROJECT_DIR / "node_modules" / "idiomorph" / "dist"),
]
# Packages whose pages use a few of many files: only these are served (core/vendor_files.py).
MOSTRADOR_VENDOR_FILES = {
    # The icons are emoji: where the system has no emoji font (many Linux desktops, kiosks),
    # this one draws them instead of empty boxes. A browser fetches only the ranges a page uses;
    # every browser that runs the pages reads woff2, so the older woff copies are left out.
    "vendor/noto-emoji": (PROJECT_DIR / "node_modules" / "@fontsource" / "noto-emoji", ["400.css", "files/*-400-normal.woff2"]),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "mostrador.core.vendor_files.VendorFilesFinder",
]
# Static files are served straight from the source folders (no collectstatic step to forget);
# re-scanning them on every request is only worth it while editing them.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Media that customers send (and that sellers attach) lands here through Django's storage API;
# point STORAGES["default"] at another backend (S3, GCS…) to keep it elsewhere.
MEDIA_ROOT = Path(os.environ.get("MOSTRADOR_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The largest media file downloaded from a channel (WhatsApp's own limit for documents is 100 MB).
# Where providers reach this server (webhooks registered with them, e.g. Telegram's setWebhook).
MOSTRADOR_PUBLIC_URL = os.environ.get("MOSTRADOR_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
MOSTRADOR_MEDIA_MAX_BYTES = int(os.environ.get("MOSTRADOR_MEDIA_MAX_BYTES", str(100 * 1024 * 1024)))

# The channels' offline sandboxes: fakes of their providers and customer chat pages, served by this
# same process. Off unless asked for: `make run` turns it on for the demo.
MOSTRADOR_SANDBOX = os.environ.get("MOSTRADOR_SANDBOX", "0") == "1"

# How long finished job results and applied webhook bodies are kept (jobs/retention.py).
MOSTRADOR_KEEP_JOBS_DAYS = int(os.environ.get("MOSTRADOR_KEEP_JOBS_DAYS", "7"))
MOSTRADOR_KEEP_INBOUND_DAYS = int(os.environ.get("MOSTRADOR_KEEP_INBOUND_DAYS", "30"))

# Hosts and CIDR ranges that URLs set by admins may reach although they are not public addresses
# (core/outbound.py). None by default; the sandbox lives on this server, so with it on, loopback.
MOSTRADOR_OUTBOUND_ALLOW = os.environ.get(
    "MOSTRADOR_OUTBOUND_ALLOW", "127.0.0.0/8 ::1 localhost" if MOSTRADOR_SANDBOX else ""
)

# The API refuses bodies larger than this before parsing them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MOSTRADOR_LOG_LEVEL", "WARNING")},
    "loggers": {"mostrador": {"level": os.environ.get("MOSTRADOR_LOG_LEVEL", "INFO")}},
}
