"""Numbers, shares and dates formatted for the page's locale, available in every template."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_babel import gettext as _

from participation.core.terms import is_autumn, is_term


def format_number(value: int | float) -> str:
    return format_decimal(value)


def term_label(term: int) -> str:
    """20252 → 'Autumn 2025', 20261 → 'Spring 2026', in the page's language."""
    year = term // 10
    return _("Autumn %(year)d", year=year) if is_autumn(term) else _("Spring %(year)d", year=year)


def now() -> datetime:
    return datetime.now(UTC)


TERMS_AROUND = 5  # years before and after this one that a term list offers


def term_choices(*keep: int | None) -> list[tuple[int, str]]:
    """Terms to pick from a list, newest first ("Autumn 2026", …): five years back and ahead, and any kept."""
    year = now().year
    terms = {
        year * 10 + half for year in range(year - TERMS_AROUND, year + TERMS_AROUND + 1) for half in (1, 2)
    }
    terms |= {term for term in keep if term and is_term(term)}
    return [(term, term_label(term)) for term in sorted(terms, reverse=True)]


def register_formatting(app: Flask) -> None:
    app.add_template_global(format_number)
    app.add_template_global(format_percent)
    app.add_template_global(format_date)
    app.add_template_global(format_datetime)
    app.add_template_global(now)
    app.add_template_global(term_label)
    app.add_template_global(term_choices)
