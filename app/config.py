"""Settings read from environment variables, one class per environment."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"

SECRET_FILE = INSTANCE_DIR / "secret_key"


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written without a driver."""
    # Heroku-style and bare postgresql:// URLs: use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def instance_secret() -> str:
    """Development without SECRET_KEY: a random key made once and kept in instance/secret_key
    (readable by the owner only), so sessions survive restarts and no key comes from the source."""
    import secrets

    try:
        key = SECRET_FILE.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


class Config:
    # None: development fills it from instance/secret_key (create_app); production refuses to start.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'jiangxuan.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A PostgreSQL streaming replica for the public lookup (app/replica.py); unset: the primary.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL") or None
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Seconds a worker keeps a public results page in memory in front of Redis (see app/cache.py).
    PUBLIC_CACHE_HOT_SECONDS = float(os.environ.get("PUBLIC_CACHE_HOT_SECONDS", "2"))
    # Reverse proxies in front (nginx: 1): trust their X-Forwarded-For/-Proto, so the client's
    # address (rate limits) and https (HSTS, secure cookies) are seen. 0 = none, headers ignored.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Absolute address printed in certificate QR codes (the public verification page); without
    # it the address the organizer used when issuing is taken.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None
    # The issuing bodies' signing keys (app/certificates/keys.py): files outside the database,
    # never served; `flask certificates keys create` makes them at set-up. A passphrase, when set,
    # encrypts the private keys. Autocreate makes a missing issuer's keys on first use (development
    # and tests only: in production a missing key stops the issue, naming the command).
    CERT_KEY_DIR = os.environ.get("CERT_KEY_DIR") or str(INSTANCE_DIR / "keys")
    CERT_KEY_PASSPHRASE = os.environ.get("CERT_KEY_PASSPHRASE") or None
    CERT_KEYS_AUTOCREATE = os.environ.get("CERT_KEYS_AUTOCREATE", "1") == "1"
    # Key sets (JWKS files) of other deployments whose certificates /verify and the CLI accept.
    CERT_TRUSTED_JWKS = [p for p in os.environ.get("CERT_TRUSTED_JWKS", "").split(os.pathsep) if p]

    # Documents (PDF): pre-cut fonts (built by `flask pdf-setup`), batch job output, and the
    # batch renderer's worker processes (0 = render in the job's own thread).
    PDF_FONT_DIR = os.environ.get("PDF_FONT_DIR") or str(INSTANCE_DIR / "fonts")
    PDF_WORKERS = int(os.environ.get("PDF_WORKERS", str(min(2, os.cpu_count() or 1))))
    PDF_WORKER_MAX_TASKS = int(os.environ.get("PDF_WORKER_MAX_TASKS", "200"))
    PDF_PRINT_PAGES = int(os.environ.get("PDF_PRINT_PAGES", "500"))  # pages per merged print file
    # Megabytes of recently made documents each process keeps (app/pdf: the same HTML is drawn once).
    PDF_CACHE_MB = float(os.environ.get("PDF_CACHE_MB", "16"))
    # Where generated files (batch job outputs) live, reached by every instance and worker
    # (app/storage): db (default: the database), s3 (an S3-compatible store, boto3), or local (a
    # directory: one machine, or one shared volume). JOB_DIR is the older name of STORAGE_DIR.
    STORAGE = os.environ.get("STORAGE", "db")
    STORAGE_DIR = os.environ.get("STORAGE_DIR") or os.environ.get("JOB_DIR") or str(INSTANCE_DIR / "jobs")
    STORAGE_S3_BUCKET = os.environ.get("STORAGE_S3_BUCKET") or None
    STORAGE_S3_PREFIX = os.environ.get("STORAGE_S3_PREFIX", "jiangxuan")
    STORAGE_S3_ENDPOINT_URL = os.environ.get("STORAGE_S3_ENDPOINT_URL") or None
    STORAGE_S3_REGION = os.environ.get("STORAGE_S3_REGION") or None
    # Days a finished job keeps its files (signed PDFs, print files, zips) after it finished;
    # `flask jobs cleanup` and the end of every job run delete older ones (app/jobs/runner.py).
    JOB_FILE_RETENTION_DAYS = int(os.environ.get("JOB_FILE_RETENTION_DAYS", "30"))

    # Flask defaults are too lax (see PITFALLS.md): cap uploads and sessions.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "16")) * 1024 * 1024
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_HOURS", "12")))
    REMEMBER_COOKIE_DURATION = timedelta(days=7)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("APP_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("zh_CN", "en")

    # Password hashes (Argon2id): OWASP's recommended setting, 46 MiB of memory, one pass, one lane
    # (Password Storage Cheat Sheet; argon2-cffi's own default, 64 MiB × 3 passes × 4 lanes, costs
    # ~4× the CPU: on 2 cores it held sign-ups below 500 a minute). Raise them where cores are
    # spare; hashes made before are made again at each user's next sign-in.
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "1"))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_KIB", "47104"))
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", "1"))
    API_TOKEN_HOURS = int(os.environ.get("API_TOKEN_HOURS", "12"))
    # Limits and the sign-in lockout count in Redis when there is one, else in the database (so
    # that every gunicorn worker counts together): app/accounts/ratelimit_db.py. With Redis, one
    # round trip per limited request (app/accounts/ratelimit_redis.py).
    RATELIMIT_STORAGE_URI = ("jx" + REDIS_URL if REDIS_URL.startswith("redis") else REDIS_URL) if REDIS_URL else "jxdb://"
    RATELIMIT_STORAGE_OPTIONS = {} if REDIS_URL else {"database_url": SQLALCHEMY_DATABASE_URI}
    RATELIMIT_HEADERS_ENABLED = True
    LOOKUP_RATE_LIMIT = os.environ.get("LOOKUP_RATE_LIMIT", "10 per minute")
    SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "60 per hour")
    # Per account, whatever the client address: failed passwords before sign-in is refused.
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "5 per 15 minutes")
    # Lock, publish and finalize need a password typed (or an API token issued) this recently.
    REAUTH_MINUTES = int(os.environ.get("REAUTH_MINUTES", "10"))

    # Operations (app/observability.py): log lines as JSON objects or text, one line per request;
    # who may read /metrics (a bearer token, or client networks when no token is set).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_REQUESTS = os.environ.get("LOG_REQUESTS", "1") == "1"
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    METRICS_ALLOW = os.environ.get("METRICS_ALLOW", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16")

    ENV_NAME = "development"


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    ENV_NAME = "production"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    CERT_KEYS_AUTOCREATE = os.environ.get("CERT_KEYS_AUTOCREATE", "0") == "1"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # The test suite's own key, never used in production (bandit B105 justified).
    SECRET_KEY = "test-secret"  # nosec B105
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'test.db'}"
    )
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STORAGE_OPTIONS: dict = {}
    # The concurrency tests run 20 requests at once in this one process (in production each
    # gunicorn sync worker serves one request at a time): room for all of them in the pool, so a
    # slow machine never turns a wait for a connection into a pool timeout.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "max_overflow": 30}
    PDF_WORKERS = 0
    STORAGE = os.environ.get("TEST_STORAGE", "db")
    STORAGE_DIR = os.environ.get("TEST_STORAGE_DIR") or str(INSTANCE_DIR / "test-jobs")
    # Cheap Argon2 parameters keep hundreds of test logins fast.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_for(name: str | None) -> type[Config]:
    return CONFIGS[name or os.environ.get("JIANGXUAN_ENV", "development")]


def check_production(config) -> None:
    """Refuse to start in production with a missing or default secret key."""
    if config.get("ENV_NAME") == "production":
        key = config.get("SECRET_KEY") or ""
        if len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
    elif not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret()
