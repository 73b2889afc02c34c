"""`flask erase …` and `flask access …`: a data protection officer's requests from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from participation.extensions import db
from participation.lifecycle import services
from participation.lifecycle.retention import apply_all
from participation.placements.models import Placement
from participation.surveys.models import Survey


def _confirm(yes: bool, question: str) -> None:
    if not yes:
        click.confirm(question, abort=True)


@click.group("erase")
def erase_cli() -> None:
    """Erase data on request: a survey's or a placement's responses, or a follow-up code's link."""


def _erased(erased: services.Erased, what: str) -> None:
    click.echo(f"Erased {erased.responses} responses ({erased.answers} answers) {what}.")


@erase_cli.command("survey")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_survey(slug: str, yes: bool) -> None:
    """Erase every response to the survey at address SLUG (the survey itself stays)."""
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise click.ClickException(f"No survey has the address {slug!r}.")
    _confirm(yes, f"Erase every response to {slug!r}? This cannot be undone.")
    _erased(services.erase_survey_responses(survey), f"of {slug!r}")


@erase_cli.command("placement")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_placement(code: str, yes: bool) -> None:
    """Erase every response that came in through the placement with poster code CODE."""
    placement = db.session.scalar(sa.select(Placement).where(Placement.code == code.strip().upper()))
    if placement is None:
        raise click.ClickException(f"No placement has the code {code!r}.")
    _confirm(yes, f"Erase every response from placement {placement.code} ({placement.place})?")
    _erased(services.erase_placement_responses(placement), f"from {placement.code}")


@erase_cli.command("follow-up")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_follow_up(code: str, yes: bool) -> None:
    """Remove a follow-up code's link; its responses stay, anonymous and no longer joined."""
    _confirm(yes, "Remove this follow-up code's link?")
    try:
        unlinked = services.erase_follow_up_link(code)
    except services.LifecycleError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Removed the link; {unlinked} responses are no longer joined.")


@click.command("retention")
@with_appcontext
def retention() -> None:
    """Erase responses older than their survey's retention, keeping the needs map's and indicators' figures."""
    done = apply_all(datetime.now(UTC))
    for kept in done:
        click.echo(
            f"{kept.survey}: erased {kept.responses} responses ({kept.answers} answers, {kept.texts} free texts);"
            f" indicator values kept for {kept.indicator_terms} terms."
        )
    if not done:
        click.echo("No survey has a retention set.")


@click.group("access")
def access_cli() -> None:
    """Access requests: everything stored for a participant."""


@access_cli.command("follow-up")
@click.argument("code")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@with_appcontext
def access_follow_up(code: str, output: Path | None) -> None:
    """Everything stored for a follow-up code, as JSON (on standard output, or in --output)."""
    try:
        document = services.access_export(code)
    except services.LifecycleError as error:
        raise click.ClickException(str(error)) from error
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {len(document['responses'])} responses to {output}.", err=True)
