"""Kefu settings: everything comes from the environment (see .env.example); defaults give the embedded demo."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from .env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOME_DIR = Path(env_str("KEFU_HOME", str(PACKAGE_DIR.parent))).resolve()
VAR_DIR = Path(env_str("KEFU_VAR_DIR", str(HOME_DIR / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
# The demo default key is fine for a laptop and refused by `kefu check --deploy`; production sets SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "kefu-insecure-demo-key-change-me-" + "x" * 20)
# Key for encrypting personal data at rest (phones, e-mails, ID numbers); falls back to SECRET_KEY.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where browsers open websockets; empty means the same origin as the page (a proxy routes /ws/).
WEBSOCKET_URL = env_str("KEFU_WEBSOCKET_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: no CDN at run time
    "django_filters",
    "django_htmx",
    "channels",
    "kefu.core",
    "kefu.accounts",
    "kefu.customers",
    "kefu.tickets",
    "kefu.intake",
    "kefu.audit",
    "kefu.sla",
    "kefu.knowledge",
    "kefu.chat",
    "kefu.routing",
    "kefu.notifications",
    "kefu.surveys",
    "kefu.quality",
    "kefu.analytics",
    "kefu.realtime",
    "kefu.workspace",
    "kefu.portal",
    "kefu.administration",
    "kefu.connectors.email",
    "kefu.connectors.webchat",
    "kefu.connectors.phone",
    "kefu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kefu.accounts.middleware.UserLanguageMiddleware",  # after auth and locale: the saved choice wins
    "kefu.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kefu.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "kefu.config.urls"
WSGI_APPLICATION = "kefu.config.wsgi.application"
ASGI_APPLICATION = "kefu.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kefu.core.context_processors.kefu",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Set but empty counts as unset (a shell that exported DATABASE_URL= gets the embedded SQLite database).
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kefu.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept between requests (DB_CONN_MAX_AGE) like PostgreSQL's: opening one and running
    # the pragmas below cost each request ~1.3 ms of CPU and ~3 ms in all (measured on an API create).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE avoids "database is locked" upgrades.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("KEFU_TEST_SQLITE", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, channel layer, cache, jobs ----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "kefu.realtime.layers.RedisPubSubChannelLayer",  # channels-redis' pub/sub, batched
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "kefu.realtime.layers.InMemoryChannelLayer"}}  # one process
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# (memory://localhost/: a bare memory:// makes kombu warn "No hostname was supplied" in the embedded mode)
EMBEDDED_BROKER_URL = "memory://localhost/"
CELERY_BROKER_URL = REDIS_URL or EMBEDDED_BROKER_URL
CELERY_RESULT_BACKEND = None
# Without a broker the jobs run in-process right after the commit that queued them.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# FAQ bot: add sentence-embedding similarity to the lexical matcher (kefu.knowledge.matching.Semantic).
KEFU_FAQ_SEMANTIC = env_bool("KEFU_FAQ_SEMANTIC", False)
# FAQ bot: answer only when the calibrated confidence (probability the answer is right) reaches this.
KEFU_FAQ_THRESHOLD = float(env_str("KEFU_FAQ_THRESHOLD", "0.7"))

# --- Auth and security --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "accounts:login"
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions are read from the cache (Redis across processes, the one process's memory in the embedded layout)
# and written to both: a signed-in request runs no session query (~0.2-0.5 ms each, every page and fragment).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL = env_bool("SECURE_SSL", False)  # true behind HTTPS: secure cookies, HSTS, redirect
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

_connect_src = [CSP.SELF, "ws:", "wss:"] if not SECURE_SSL else [CSP.SELF, "wss:"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": _connect_src,
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # stored and computed in UTC; shown in the user's zone
DEFAULT_USER_TIMEZONE = env_str("DEFAULT_USER_TIMEZONE", "Asia/Shanghai")
# Routing: below this classifier confidence (percent) a new ticket goes to the default team for manual triage.
ROUTING_CLASSIFIER_THRESHOLD = env_int("ROUTING_CONFIDENCE_PERCENT", 60) / 100
# Live chat: an open chat without a message for this many minutes is ended (the visitor has left).
CHAT_IDLE_MINUTES = env_int("CHAT_IDLE_MINUTES", 30)
# An agent whose last workspace socket closed and did not come back for this many seconds is set offline.
CHAT_PRESENCE_GRACE_SECONDS = env_int("CHAT_PRESENCE_GRACE_SECONDS", 60)

# --- Static files and uploads -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves from the apps (finders); an existing, possibly empty, root keeps it from warning per request.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # kefu/static/kefu/: the shared app.css, app.js, live.js …
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_FORBIDDEN_EXTENSIONS = env_list(
    "ATTACHMENT_FORBIDDEN_EXTENSIONS",
    ["exe", "bat", "cmd", "com", "scr", "js", "vbs", "msi", "ps1", "jar", "sh", "dll", "html", "htm", "svg"],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail --------------------------------------------------------------------------------------
# Django 6.1's MAILERS: SMTP when EMAIL_HOST is set, otherwise mail is written to files under var/outbox.
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": EMAIL_HOST,
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": env_int("EMAIL_TIMEOUT", 30),
        },
    }
else:
    _mailer = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "outbox")},
    }
MAILERS = {"default": _mailer}
del EMAIL_HOST
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kefu 客服 <support@kefu.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kefu.api.authentication.KefuTokenAuthentication",  # DRF's, with its query built once
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kefu.api.permissions.IsStaffUser"],
    "DEFAULT_PAGINATION_CLASS": "kefu.api.pagination.KefuCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kefu.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "6000/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kefu API",
    "DESCRIPTION": "Tickets, messages, customers, users and teams of the Kefu customer service center.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["kefu.api.permissions.IsStaffUser"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v[0-9]+",
}

# --- Logging -------------------------------------------------------------------------------------


def forbidden_in_one_line(record) -> bool:
    """A refused request (403, PermissionDenied) is expected: Django's one line says it, without a traceback."""
    if getattr(record, "status_code", None) == 403:
        record.exc_info = None
        record.exc_text = None
    return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"forbidden_in_one_line": {"()": lambda: forbidden_in_one_line}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["forbidden_in_one_line"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "jieba": {"level": "WARNING"}},
}
