"""Configuration read from PARTICIPATION_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# The checkout: templates, static files, translations and migrations live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "PARTICIPATION_"
DEFAULT_LANGUAGES = "sv en ar fa-AF so ti fi"
MIN_SUPPRESSION_K = 5
# Flood ceilings per address and per survey or forum session (see "Flood limits" in the README):
# beyond them submissions are still stored, but held in quarantine until staff release them.
DEFAULT_FLOOD_LIMITS = {
    "FLOOD_RESPONSES": "150 per 10 minutes; 800 per 4 hours",
    "FLOOD_JOINS": "100 per 10 minutes; 800 per 4 hours",
    "FLOOD_VOTES": "600 per 10 minutes; 4000 per 4 hours",
    "FLOOD_PROPOSALS": "40 per 10 minutes; 200 per 4 hours",
}
DEFAULT_PROPOSALS_PER_PERSON = 5
# How many times a second the phones of one forum session may poll together before each waits longer.
DEFAULT_FORUM_PHONE_POLLS = 400


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(PREFIX + name, default)


def _env_bool(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_positive(name: str, default: int) -> int:
    """A whole number of at least one; the default when unset."""
    return max(int(_env(name) or default), 1)


def instance_path_from_environment() -> str | None:
    """PARTICIPATION_INSTANCE_PATH, or None for Flask's default (instance/ beside the package)."""
    value = _env("INSTANCE_PATH")
    return str(Path(value).resolve()) if value else None


def load_secret_key(instance_path: Path) -> str:
    """Return the configured secret key, or one generated once into the instance folder."""
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create the file readable by its owner only; a concurrent first start keeps whichever won.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def from_environment(instance_path: Path) -> dict[str, object]:
    """Build the Flask configuration mapping from the environment."""
    database_url = _env("DATABASE_URL") or f"sqlite:///{instance_path / 'delaktig.sqlite3'}"
    public_base_url = (_env("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    secure = _env_bool("SECURE_COOKIES", public_base_url.startswith("https://"))
    k = int(_env("SUPPRESSION_K") or MIN_SUPPRESSION_K)
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "DATABASE_URL": normalise_database_url(database_url),
        "PUBLIC_BASE_URL": public_base_url,
        "LANGUAGES": (_env("LANGUAGES") or DEFAULT_LANGUAGES).split(),
        "DEFAULT_LANGUAGE": _env("DEFAULT_LANGUAGE") or "sv",
        # Never below five: a smaller cell can point to one young person.
        "SUPPRESSION_K": max(k, MIN_SUPPRESSION_K),
        "TRUSTED_PROXIES": int(_env("TRUSTED_PROXIES") or 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_NAME": "delaktig_session",
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "MAX_FORM_MEMORY_SIZE": 256 * 1024,
        "CONTACT_EMAIL": _env("CONTACT_EMAIL") or "",
        # The privacy notice (/<lang>/privacy): who is responsible, and the legal basis in their words.
        "CONTROLLER": _env("CONTROLLER") or "",
        "LEGAL_BASIS": _env("LEGAL_BASIS") or "",
        # Staff enter opening and closing times in this zone; everything is stored in UTC.
        "TIMEZONE": _env("TIMEZONE") or "Europe/Stockholm",
        # memory:// counts per process; use redis://… when several processes serve the app.
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "FLOOD_CEILINGS": _env_bool("FLOOD_CEILINGS", True),
        **{name: _env(name) or default for name, default in DEFAULT_FLOOD_LIMITS.items()},
        "FORUM_PROPOSALS_PER_PERSON": _env_positive(
            "FORUM_PROPOSALS_PER_PERSON", DEFAULT_PROPOSALS_PER_PERSON
        ),
        "FORUM_PHONE_POLLS": _env_positive("FORUM_PHONE_POLLS", DEFAULT_FORUM_PHONE_POLLS),
    }
