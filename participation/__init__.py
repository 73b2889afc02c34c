"""Delaktig: young people in a neighbourhood answer in their own language; partners act on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from participation import config as config_module

PROJECT_ROOT = config_module.PROJECT_ROOT


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, URL rules, error pages, commands."""
    app = Flask(
        __name__,
        instance_path=config_module.instance_path_from_environment(),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    connect_capabilities(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config_module.from_environment(instance))
    if overrides:
        app.config.from_mapping(overrides)
    if "DATABASE_URL" in (overrides or {}):
        app.config["DATABASE_URL"] = config_module.normalise_database_url(app.config["DATABASE_URL"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    app.config["BABEL_DEFAULT_LOCALE"] = str(app.config["DEFAULT_LANGUAGE"]).replace("-", "_")  # as to_babel
    if app.config["TRUSTED_PROXIES"]:
        # The proxy's X-Forwarded-For gives the client's address: rate limits and flood ceilings count per
        # client (an HMAC of it, participation.privacy.client_key), not once for everyone behind the proxy.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    from participation.core import changes
    from participation.core.hygiene import register_hygiene
    from participation.core.logs import register_request_logs
    from participation.extensions import babel, csrf, db, limiter
    from participation.i18n.formatting import register_formatting
    from participation.i18n.languages import get_locale
    from participation.i18n.routing import register_language_routing
    from participation.security import register_security_headers
    from participation.staff import ownership
    from participation.staff.auth import register_login

    register_hygiene(app)
    register_request_logs(app)
    db.init_app(app)
    changes.init_app(app)  # flushes that move the needs map's counts write a DataChange row
    ownership.init_app(app)  # new partner data gets an owner
    csrf.init_app(app)
    limiter.init_app(app)
    register_login(app)
    # Times on pages read in the initiative's zone (the one staff type them in), not in UTC.
    babel.init_app(app, locale_selector=get_locale, default_timezone=app.config["TIMEZONE"])
    register_language_routing(app)
    register_formatting(app)
    register_security_headers(app)


def register_blueprints(app: Flask) -> None:
    from participation.actions.routes import bp as actions
    from participation.api.routes import bp as api
    from participation.api.routes import tokens_bp as api_tokens
    from participation.followup.routes import bp as followup
    from participation.forum.routes import bp as forum
    from participation.forum.staff_routes import bp as forum_staff
    from participation.insights.routes import bp as insights
    from participation.lifecycle.routes import bp as lifecycle
    from participation.measurement.routes import bp as measurement
    from participation.moderation.routes import bp as moderation
    from participation.placements.routes import bp as placements
    from participation.placements.routes import staff_bp as placements_staff
    from participation.quarantine.routes import bp as quarantine
    from participation.site.routes import bp as site
    from participation.staff.routes import bp as staff
    from participation.surveys.labels import register_template_globals
    from participation.surveys.routes import bp as surveys
    from participation.surveys.staff_routes import bp as surveys_staff
    from participation.themes.routes import bp as themes

    for blueprint in (
        site,
        placements,
        surveys,
        forum,
        staff,
        placements_staff,
        moderation,
        surveys_staff,
        forum_staff,
        insights,
        actions,
        api,
        api_tokens,
        themes,
        measurement,
        followup,
        quarantine,
        lifecycle,
    ):
        app.register_blueprint(blueprint)
    register_template_globals(app)


def connect_capabilities(app: Flask) -> None:
    """Higher capabilities answer the signals of lower ones (participation.core.signals)."""
    from participation import actions, followup, forum, insights, placements, site

    for capability in (placements, followup, forum, insights, actions, site):
        capability.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from participation.site.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from participation.core.backup import backup, restore
    from participation.core.commands import db_cli
    from participation.demo.commands import demo
    from participation.lifecycle.commands import access_cli, erase_cli, retention
    from participation.staff.commands import users_cli
    from participation.surveys.commands import release

    app.cli.add_command(db_cli)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(demo)
    app.cli.add_command(erase_cli)
    app.cli.add_command(access_cli)
    app.cli.add_command(retention)
    app.cli.add_command(users_cli)
    app.cli.add_command(release)
