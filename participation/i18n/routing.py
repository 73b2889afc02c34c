"""The /<lang>/ URL prefix: validated, remembered in g for the request, and filled in by url_for."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, g

from participation.i18n import languages


def staff_language() -> None:
    """Staff pages have no /<lang>/ prefix: their language is the staff member's choice (cookie, browser).

    Registered as `before_request` on every staff blueprint, so messages and flashes speak it too.
    """
    g.lang = languages.choose_language()


def register_language_routing(app: Flask) -> None:
    """Every endpoint with a <lang> argument gets it checked and set as the request's language."""

    @app.url_value_preprocessor
    def _pull_lang(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "lang" in values:
            lang = values.pop("lang")
            if not languages.is_shipped(lang):
                g.lang = None
                abort(404)
            g.lang = lang
            g.lang_in_url = True

    @app.url_defaults
    def _add_lang(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = languages.current_language()

    app.add_template_global(languages.content)
    app.add_template_global(languages.native_name)
    app.add_template_global(languages.languages_missing)
    app.add_template_global(languages.text_direction, "text_direction_of")

    @app.context_processor
    def _language_context() -> dict[str, Any]:
        lang = languages.current_language()
        return {
            "lang": lang,
            "text_dir": languages.text_direction(lang),
            "language_choices": [
                (code, languages.native_name(code)) for code in languages.shipped_languages()
            ],
        }
