"""Aggregates as CSV and XLSX files; the numbers in them are already suppressed."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from participation.insights.filters import COMPONENTS


def needs_table(rows: list[dict[str, Any]], k: int) -> list[list[Any]]:
    header = [_("Theme"), _("Priority")]
    for name in COMPONENTS:
        header += [f"{name} n", f"{name} count", f"{name} share"]
    table: list[list[Any]] = [header]
    hidden = _("fewer than %(k)d", k=k)
    for row in rows:
        line: list[Any] = [row["name"], row["priority"]]
        for name in COMPONENTS:
            c = row["components"].get(name)
            if c is None:
                line += ["", "", ""]
            else:
                line += [
                    c["base"] if c["base"] is not None else hidden,
                    c["count"] if c["count"] is not None else hidden,
                    c["share"] if c["share"] is not None else "",
                ]
        table.append(line)
    return table
