"""`flask release`: release the results of waiting responses when k of them are waiting (for a schedule)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from participation.extensions import db
from participation.suppression import threshold
from participation.surveys.releases import release_if_due, waiting


@click.command("release")
@with_appcontext
def release() -> None:
    """Make waiting responses count in results, if at least k are waiting (never fewer)."""
    with db.transaction():  # the outermost block: the release is committed when it ends
        made = release_if_due()
    if made is None:
        click.echo(f"Nothing released: {waiting()} waiting, {threshold()} needed.")
    else:
        click.echo(f"Released {made.responses} responses (release {made.id}).")
