"""Fixtures for the flood tests here: a clock the rate-limit storage reads."""

from tests.floods import clock  # noqa: F401
