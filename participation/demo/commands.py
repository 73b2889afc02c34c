"""`flask demo`: the Bäckby demo data."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from participation.demo.services import load_demo
from participation.extensions import db


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the Bäckby demo (safe to run again) and print how to try it."""
    with db.transaction():  # the outermost block: the demo is committed when it ends
        summary = load_demo()
    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo("Bäckby demo " + ("loaded." if summary.created else "already present; nothing to add."))
    click.echo(f"Staff login:      {summary.login_email} / {summary.login_password}")
    click.echo(f"Participant link: {base}/q/{summary.placements[0].code}")
