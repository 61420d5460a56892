"""Django settings for Partnerwise.

One settings file. Everything that differs between a laptop and production comes from the
environment, read by the tiny typed helpers below. `DJANGO_ENV=production` turns on the safe
defaults (no DEBUG, secret key required, secure cookies, HSTS).
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets type-checked generics such as `forms.ModelForm[Model]` work at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = ENV == "production"

DEBUG = envbool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs SECRET_KEY set to a random string of 50+ characters"
        )
else:
    # Development and tests only; production refuses to start without its own key.
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-" + "x" * 40)

ALLOWED_HOSTS = envlist(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if not PRODUCTION else []
)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, e.g. 127.0.0.1);
# with none, the client address is the direct peer's (see partnerwise/hosting/addresses.py).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", [])

# Where the embedded database and other run-time files live.
VAR_DIR = Path(os.environ.get("PARTNERWISE_VAR_DIR", BASE_DIR / "var"))
# The open-data samples the demo and tests read (../shared/data beside the checkout).
DATA_DIR = Path(os.environ.get("PARTNERWISE_DATA_DIR", BASE_DIR.parent / "shared" / "data"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "partnerwise.workspaces",
    "partnerwise.organisations",
    "partnerwise.partnerships",
    "partnerwise.assessments",
    "partnerwise.appraisals",
    "partnerwise.opendata",
    "partnerwise.api",
    "partnerwise.hosting",
    "partnerwise.exports",
    "partnerwise.web",
    "partnerwise.demo",
    # Only for the Swagger UI files it ships, so /api/docs loads nothing from a CDN.
    "ninja",
]

MIDDLEWARE = [
    "partnerwise.hosting.middleware.RequestLogMiddleware",
    "partnerwise.hosting.middleware.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "partnerwise.hosting.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "partnerwise.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "partnerwise" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "partnerwise.wsgi.application"

# SQLite is the embedded default so that `make run` needs no server; PostgreSQL is the
# production database, chosen by DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test).
_default_sqlite = f"sqlite:///{VAR_DIR / 'partnerwise.sqlite3'}"
# Production keeps each worker thread's connection for a minute (checked before reuse), so a
# page does not pay for a new connection: a PostgreSQL backend process, or SQLite re-reading
# its schema into a cold page cache (about 3 ms of CPU a page; see docs/deploy.md).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_sqlite,
        conn_max_age=envint("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work side by side; IMMEDIATE avoids lock upgrades.
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }

# The cache holds sign-in and reset throttling counts, so every worker process must share it:
# the database by default (`createcachetable` runs in `partnerwise serve`), Redis when
# CACHE_URL names one (e.g. redis://127.0.0.1:6379/0).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must start with redis:// or locmem://, not {CACHE_URL}")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "partnerwise_cache",
        }
    }

# Throttling (partnerwise/workspaces/throttle.py): attempts per account and per client
# address within a window of seconds, counted in the shared cache above.
SIGNIN_FAILURES_PER_ACCOUNT = envint("SIGNIN_FAILURES_PER_ACCOUNT", 5)
SIGNIN_FAILURES_PER_ADDRESS = envint("SIGNIN_FAILURES_PER_ADDRESS", 50)
SIGNIN_WINDOW = envint("SIGNIN_WINDOW", 15 * 60)
RESETS_PER_ACCOUNT = envint("RESETS_PER_ACCOUNT", 3)
RESETS_PER_ADDRESS = envint("RESETS_PER_ADDRESS", 20)
RESET_WINDOW = envint("RESET_WINDOW", 60 * 60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "workspaces.User"

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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Outside production, WhiteNoise serves straight from the apps' static folders (no
# collectstatic needed for `make run` or the tests); production serves the collected files.
WHITENOISE_AUTOREFRESH = not PRODUCTION
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

# Email (password resets, invitations): printed to the console in development unless
# EMAIL_HOST names an SMTP server; production always sends by SMTP (localhost by default).
# Django 6.1's MAILERS replaces the old EMAIL_* settings.
if os.environ.get("EMAIL_HOST") or PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": envint("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "partnerwise@localhost")
# Mail is sent after the change it reports is saved, tried this many times with a growing
# pause (seconds) between tries; a person is told when it could not be sent.
EMAIL_ATTEMPTS = envint("EMAIL_ATTEMPTS", 3)
EMAIL_RETRY_PAUSE = float(os.environ.get("EMAIL_RETRY_PAUSE") or 0.5)

# A strict Content-Security-Policy: only our own scripts, styles and images.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", default=True)

# One JSON line per request on standard error (journald or the container log keeps it), with
# the request id the response also carries in X-Request-ID. REQUEST_LOG=0 turns it off.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "loggers": {
        "partnerwise.request": {
            "handlers": ["requests"],
            "level": "INFO" if envbool("REQUEST_LOG", default=True) else "WARNING",
            "propagate": False,
        },
        # WeasyPrint warns of every screen-only CSS rule it skips when printing a page to PDF.
        "weasyprint": {"level": "ERROR"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
