"""Numbers, shares and dates formatted for the page's locale, available in every template."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent


def format_number(value: int | float) -> str:
    return format_decimal(value)


def now() -> datetime:
    return datetime.now(UTC)


def register_formatting(app: Flask) -> None:
    app.add_template_global(format_number)
    app.add_template_global(format_percent)
    app.add_template_global(format_date)
    app.add_template_global(format_datetime)
    app.add_template_global(now)
