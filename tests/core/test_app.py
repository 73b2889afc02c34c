"""Health, security headers, cookies, configuration and the migrations matching the models."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import request

from participation import create_app
from participation.config import load_secret_key
from participation.database import Base
from participation.extensions import db
from tests.factories import gen_survey


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "ok"}


def test_healthz_says_when_the_database_lacks_a_migration(client, db):
    """A release whose migrations were not run is not healthy: the monitor says so before a user meets it."""
    current = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'a_release_behind'"))
    db.session.commit()
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "error", "database": "ok", "migrations": "behind"}
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()


def test_security_headers_on_every_page(client):
    survey = gen_survey()
    for url in ["/sv/", f"/sv/s/{survey.slug}", "/q/UNKNOWN", "/healthz"]:
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_are_served_as_html(client):
    """With nosniff, a page sent as text/plain shows its source in a real browser."""
    survey = gen_survey()
    for url in [
        "/sv/",
        f"/sv/s/{survey.slug}",
        f"/sv/s/{survey.slug}/thanks",
        "/sv/accessibility",
        "/q/UNKNOWN",
    ]:
        assert client.get(url).mimetype == "text/html", url
    survey.closes_at = survey.created_at
    db.session.commit()
    assert client.get(f"/sv/s/{survey.slug}").mimetype == "text/html"


def test_pages_have_no_inline_script_or_style(client):
    survey = gen_survey()
    html = client.get(f"/sv/s/{survey.slug}").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_cookies_are_httponly_and_samesite(client):
    survey = gen_survey()
    response = client.get(f"/sv/s/{survey.slug}")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("HttpOnly" in c and "SameSite=Lax" in c for c in cookies)


def test_cookies_are_secure_behind_https(monkeypatch, tmp_path):
    monkeypatch.setenv("PARTICIPATION_PUBLIC_BASE_URL", "https://delaktig.example.se")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_behind_a_trusted_proxy_hsts_follows_its_scheme_and_limits_its_client(monkeypatch, tmp_path):
    """X-Forwarded-Proto decides HSTS (only over HTTPS), X-Forwarded-For the rate limits' address."""
    monkeypatch.setenv("PARTICIPATION_PUBLIC_BASE_URL", "https://delaktig.example.se")
    monkeypatch.setenv("PARTICIPATION_TRUSTED_PROXIES", "1")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    app.add_url_rule("/address", "address", lambda: request.remote_addr or "")
    client = app.test_client()
    secure = client.get("/address", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert secure.get_data(as_text=True) == "192.0.2.7"
    assert (
        "Strict-Transport-Security" not in client.get("/address").headers
    )  # plain HTTP, e.g. a health check


def test_root_redirects_by_browser_language(client):
    assert client.get("/", headers={"Accept-Language": "fi-FI,fi;q=0.9"}).headers["Location"] == "/fi/"
    assert client.get("/", headers={"Accept-Language": "de"}).headers["Location"] == "/sv/"
    assert client.get("/", headers={"Accept-Language": "prs"}).headers["Location"] == "/fa-AF/"


def test_secret_key_is_generated_once_into_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("PARTICIPATION_SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    assert len(first) == 64 and first == load_secret_key(tmp_path)
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_configured_secret_key_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("PARTICIPATION_SECRET_KEY", "from-the-environment")
    assert load_secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_no_hard_coded_secret_key_in_the_code():
    source = "\n".join(p.read_text() for p in Path("participation").rglob("*.py"))
    assert 'SECRET_KEY"] = "' not in source and 'SECRET_KEY = "' not in source


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_match_the_models(app, db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
