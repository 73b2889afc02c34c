"""`flask users …`: staff accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask import g
from flask.cli import with_appcontext

from participation.extensions import db
from participation.staff.models import Role
from participation.staff.services import AccountError, create_user


@click.group("users")
def users_cli() -> None:
    """Staff accounts."""


def _read_password() -> str:
    """From a hidden prompt at a terminal, or the first line of standard input when piped."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--partner", "partner_name", default=None, help="Partner organisation (created if new).")
@with_appcontext
def create(email: str, role: str, partner_name: str | None) -> None:
    """Create a staff account; the password is read from a prompt or standard input."""
    g.lang = "en"  # command-line messages are in English
    password = _read_password()
    try:
        with db.transaction():  # the outermost block: the account is committed when it ends
            user = create_user(email, password, Role(role), partner_name)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    partner = f" at {user.partner.name}" if user.partner else ""
    click.echo(f"Created {user.role.value} account {user.email}{partner}.")
