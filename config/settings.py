"""Settings, every knob read from the environment with a safe default for local use.

Local use (the default) runs with DEBUG on and an embedded SQLite database. Production sets
DEBUG=0 and a real SECRET_KEY; it refuses to start without one.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.secret_key import personal_data_key_problem, weakness

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a real random key of at least 50 characters.")
elif not DEBUG and (problem := weakness(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY looks guessable: {problem}. Generate a random one with: "
        'python3 -c "import secrets; print(secrets.token_urlsafe(64))"'
    )

# Rotation: put the old key here (comma-separated) while the new one takes over, so sessions and
# password-reset links signed with it stay valid until they expire (docs/runbook.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")

# Personal data at rest (common.personal): phone numbers, names and addresses are encrypted with
# PERSONAL_DATA_KEYS (Fernet keys, newest first: the first encrypts, all decrypt) and matched by
# an HMAC under PERSONAL_DATA_HASH_KEY. `manage.py generate_personal_data_keys` prints new ones;
# rotation: docs/runbook.md. Fixed development keys only with DEBUG on.
_DEV_PERSONAL_DATA_KEYS = ["ZGV2LW9ubHktcGVyc29uYWwtZGF0YS1rZXktMDAwMDA="]
_DEV_PERSONAL_DATA_HASH_KEY = "ZGV2LW9ubHktcGVyc29uYWwtZGF0YS1oYXNoLWtleTA"
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS", "")
PERSONAL_DATA_HASH_KEY = os.environ.get("PERSONAL_DATA_HASH_KEY", "")
if not DEBUG and not (PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY):
    raise ImproperlyConfigured(
        "PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY must be set when DEBUG is off "
        "(python manage.py generate_personal_data_keys prints new ones)."
    )
if not DEBUG and (
    set(PERSONAL_DATA_KEYS) & set(_DEV_PERSONAL_DATA_KEYS)
    or PERSONAL_DATA_HASH_KEY == _DEV_PERSONAL_DATA_HASH_KEY
):
    raise ImproperlyConfigured("The development personal-data keys must not be used in production.")
PERSONAL_DATA_KEYS = PERSONAL_DATA_KEYS or _DEV_PERSONAL_DATA_KEYS
PERSONAL_DATA_HASH_KEY = PERSONAL_DATA_HASH_KEY or _DEV_PERSONAL_DATA_HASH_KEY
if problem := personal_data_key_problem(PERSONAL_DATA_KEYS, PERSONAL_DATA_HASH_KEY):
    raise ImproperlyConfigured(problem)

# Behind nginx: trust its X-Forwarded-Proto, and take the client's address from the entry it
# adds to X-Forwarded-For (common.client_ip).
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "formtools",
    "django_ratelimit",
    "csp",
    "django_tasks",
    "common",  # registers the <id:...> URL converter
    "jobs",  # before django_tasks_db: its db_worker (with heartbeats) replaces the package's
    "django_tasks_db",
    "accounts",
    "questionnaires",
    "sampling",
    "fieldwork",
    "qc",
    "scoring",
    "exports",
    "api",
    "demo",
    "audit",  # the append-only audit log
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.AccountChecksMiddleware",  # second factor, temporary password
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the locked-out page
    "audit.middleware.RequestContextMiddleware",  # the client address of audit events
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]
# Form widgets render with Django's Jinja2 copies of its widget templates: the same HTML, and a
# wizard page of 30 choice questions renders in half the CPU time the template language takes
# (each option of each radio list is an included template).
FORM_RENDERER = "django.forms.renderers.Jinja2"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while an interviewer's page is being saved; IMMEDIATE takes the
        # write lock at BEGIN so concurrent writers queue instead of failing with "locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The call queue's candidate statement (fieldwork.queue) is a server-side prepared
    # statement with a generic plan, planned once per connection instead of on every press.
    # Only cursors that bind on the server prepare, and only that statement uses one
    # (Django's own bind on the client); a pooler in transaction mode must keep prepared
    # statements (PgBouncer 1.21 or later, max_prepared_statements set).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("prepare_threshold", 0)
    generic = "-c plan_cache_mode=force_generic_plan"
    options["options"] = " ".join(filter(None, [options.get("options"), generic]))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Authentication (README, "Configuration"). Failed logins lock out one user name from one
# address (django-axes, the login page and the admin alike) for LOGIN_LOCKOUT_MINUTES after
# LOGIN_FAILURE_LIMIT failures; by user name and address together, because a call centre's
# interviewers share one address and one typo-prone colleague must not lock them all out. An
# analyst unlocks from the users page, an administrator with `manage.py axes_reset_username`.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",
    # Django's model backend, reading with the user whether they have an authenticator
    "accounts.backends.UserBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
AXES_VERBOSE = False  # lockouts are logged as warnings (user name and address masked)
# Analysts confirm every login with a code from an authenticator app (django-otp); everyone
# else may turn it on for themselves.
OTP_REQUIRED_FOR_ANALYSTS = env_bool("OTP_REQUIRED_FOR_ANALYSTS", True)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Safety survey")
# Sessions end after SESSION_IDLE_MINUTES without activity (tablets are shared between
# interviewers): every request pushes the expiry on, except a page's own background polling
# (htmx GETs: progress bars, the live board), which is no one at the keyboard
# (accounts.middleware; Django's own SESSION_SAVE_EVERY_REQUEST would count polls too).
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_IDLE_MINUTES", 30)) * 60)
SESSION_EXTEND_ON_ACTIVITY = env_bool("SESSION_SAVE_EVERY_REQUEST", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves collectstatic's copies from STATIC_ROOT; with DEBUG on, whitenoise serves
# straight from static/ (no collectstatic needed for make demo).
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (None if DEBUG else BASE_DIR / "staticfiles")
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Files (frames, uploads waiting for their import job, reports) go through Django's storage
# API: a directory by default, S3-compatible object storage when S3_BUCKET is set, so that
# every app server and worker sees the same files. They are never served as static files.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # MEDIA_ROOT
STORAGES = {
    "default": _default_storage,
    # whitenoise serves static files from the app server; in production with hashed, compressed
    # copies made by collectstatic (cached for a year), locally straight from static/.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# One cache for every app server and worker: results computed once are seen by all, and a
# review decision invalidates them everywhere. The database by default; Redis when REDIS_URL
# is set. (The cache table is created by the jobs app's migrations.)
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "survey_cache",
        # Results of every wave and language, and their earlier states: room for all of them.
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # The rate limiter's counters (common.ratelimit), apart so results never crowd them out.
    "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "common.cache.CountingDatabaseCache",
        "LOCATION": "survey_ratelimit",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

# Rate limits (common.ratelimit, django-ratelimit): requests per period, counted per user, or
# per client address before login. RATE_LIMIT_<NAME> overrides one, e.g.
# RATE_LIMIT_REVEAL_PHONE=20/h. A call centre behind one NAT address shares the login count.
RATE_LIMITS = {
    name: os.environ.get(f"RATE_LIMIT_{name.upper()}", default)
    for name, default in {
        "reveal_phone": "30/h",  # full numbers shown to an interviewer in manual-dial mode
        "login": "60/m",  # login form posts per address (django-axes locks the account)
        # posts per user name from all addresses together: no way round the lockout by
        # changing address, without letting anyone lock another out for long
        "login_user": "30/h",
        "twilio": "1200/m",  # Twilio's webhooks per address (every call sends several)
        "healthz": "120/m",  # the load balancer's probes per address
        "api": "600/m",  # requests per API token (a client's platform pulling pages)
    }.items()
}
for _name, _rate in RATE_LIMITS.items():
    if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", _rate):
        raise ImproperlyConfigured(f"RATE_LIMIT_{_name.upper()} must read like 30/h, not {_rate!r}")
RATELIMIT_USE_CACHE = "ratelimit"
# django-ratelimit vouches only for memcached and django-redis; Django's own Redis cache counts
# atomically too, and so does common.cache.CountingDatabaseCache (tests/common/test_ratelimit.py).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
RATELIMIT_IP_META_KEY = "common.client_ip.client_ip"

# Long work runs as jobs through Django's task framework (the django-tasks backport): the
# database backend by default, so one machine needs nothing more; `manage.py db_worker` runs
# them. A worker not seen for JOBS_STALE_AFTER_SECONDS has its job queued again, at most
# JOBS_MAX_ATTEMPTS runs in all.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", 10))
JOBS_STALE_AFTER_SECONDS = float(os.environ.get("JOBS_STALE_AFTER_SECONDS", 60))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", 3))
JOBS_KEEP_DAYS = int(os.environ.get("JOBS_KEEP_DAYS", 180))  # finished jobs' records
# Personal data (PIPL): the audit log is kept this many days (at least 183: check audit.E001),
# then the daily pruning removes older events. A new wave keeps its respondents' personal data
# until PERSONAL_DATA_RETENTION_DAYS after its fieldwork ends (or after it is created, while no
# end is planned); analysts are reminded RETENTION_REMINDER_DAYS before that date.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", 365))
PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_RETENTION_DAYS", 180))
RETENTION_REMINDER_DAYS = int(os.environ.get("RETENTION_REMINDER_DAYS", 30))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Tables people upload or hand to a command (common.tables): per kind of file, the largest file
# in MB and the most data rows (UPLOAD_MAX_MB_<KIND>, UPLOAD_MAX_ROWS_<KIND>), and the longest
# cell in characters. A file over a cap is refused with the cap stated.
TABLE_LIMITS = {
    kind: {
        "max_mb": float(os.environ.get(f"UPLOAD_MAX_MB_{kind.upper()}", max_mb)),
        "max_rows": int(os.environ.get(f"UPLOAD_MAX_ROWS_{kind.upper()}", max_rows)),
    }
    for kind, max_mb, max_rows in (
        ("frame", 200, 5_000_000),  # sampling frames: a city's households
        ("localities", 20, 100_000),  # the locality tree, population by sex and age
        ("indicators", 10, 100_000),  # objective-indicator values and scoring rules
        ("matrix", 1, 100),  # one AHP judgement matrix (at most 15 elements)
        ("strata", 10, 100_000),  # stratum,value lists: sds, sizes, RDD targets
        ("interviews", 200, 1_000_000),  # qc_check --interviews
        ("respondents", 500, 5_000_000),  # estimate --data and its population files
        ("dispositions", 200, 5_000_000),  # response_rates --dispositions
    )
}
UPLOAD_MAX_CELL_CHARS = int(os.environ.get("UPLOAD_MAX_CELL_CHARS", 2000))

# Telephony: with no credentials the system runs in manual-dial mode.
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_CALLER_ID = os.environ.get("TWILIO_CALLER_ID", "")
TWILIO_SMS_FROM = os.environ.get("TWILIO_SMS_FROM", "")  # default: TWILIO_CALLER_ID
# Where the Twilio REST client sends requests; empty means Twilio itself. Tests point it at a
# local fake server.
TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "")
# The public https address Twilio calls back; webhook signatures are computed over it.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

# Door-to-door visits: a visit position farther than this from the household's community, or
# less accurate than this, is recorded with a warning (the visit is still saved).
CAPI_MAX_DISTANCE_M = float(os.environ.get("CAPI_MAX_DISTANCE_M", 2000))
CAPI_MAX_ACCURACY_M = float(os.environ.get("CAPI_MAX_ACCURACY_M", 100))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from our own
# static files; no inline script, event handler or style attribute anywhere (tests/e2e/
# test_csp.py watches the main pages for violations). Recordings play from Twilio.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # a photo or recording just taken is previewed from its data URL (capture.js)
        "media-src": ["'self'", "data:", "https://*.twilio.com", "https://*.twiliocdn.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer polls the app servers' health over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs go to stdout (journald in production). LOG_FORMAT=json gives one JSON object per line
# for a log collector; the default is JSON when DEBUG is off. Phone numbers are masked in every
# record (common.logs); request bodies are never logged.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "common.logs.RedactPhoneNumbers"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (its console in DEBUG, mail to ADMINS) would write a record
        # before the root's masks it: Django's records go to the root's masked console only.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # Request lines carry URLs only; bodies (with phone numbers) are never logged.
        "django.request": {"level": "WARNING"},
        # The Twilio client logs every API call at INFO; keep telephony traffic out of logs.
        "twilio.http_client": {"level": "WARNING"},
        # django-axes logs every failed login at INFO; lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# QC's population rules (relative rush, overlaps, copies, interviewer risk inputs) over each
# wave in fieldwork: every QC_POPULATION_MINUTES when interviews were completed since the last
# run, and as soon as QC_POPULATION_COMPLETES interviews were completed since it.
QC_POPULATION_MINUTES = float(os.environ.get("QC_POPULATION_MINUTES", 5))
QC_POPULATION_COMPLETES = int(os.environ.get("QC_POPULATION_COMPLETES", 50))

# The quota cells' achieved counts are kept as interviews complete; every QUOTA_RECOUNT_MINUTES
# the waves in fieldwork are counted again in full, and a count that had to change is logged.
QUOTA_RECOUNT_MINUTES = float(os.environ.get("QUOTA_RECOUNT_MINUTES", 60))
