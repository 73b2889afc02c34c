"""The facilitator's side of a forum session: create, steer, moderate, tag themes, export results."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from participation.core.hygiene import to_id
from participation.exports import MACHINE, Column, Report, Style, Table, per_cent, report_csv, report_xlsx
from participation.extensions import db
from participation.forum import labels, opinions, results, sessions, translations
from participation.forum.forms import ItemForm, NewSessionForm
from participation.forum.models import ForumItem, ForumMode, ForumSession, ItemStatus
from participation.forum.sessions import PROPOSAL_CAP_MAX, PROPOSAL_MAX, TIMER_MINUTES, Control, ForumError
from participation.i18n.languages import (
    content,
    native_name,
    shipped_languages,
)
from participation.i18n.routing import staff_language
from participation.staff import ownership
from participation.staff.auth import ALL_ROLES, STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm
from participation.staff.models import Role
from participation.staff.translate import translation_view
from participation.suppression import threshold
from participation.themes.models import Theme
from participation.themes.services import theme_name

bp = Blueprint("forum_staff", __name__, url_prefix="/staff/forum")


bp.before_request(staff_language)


def _session(session_id: int) -> ForumSession:
    """The session, if the signed-in user's partner holds it (or the user is an admin); else 404."""
    return ownership.require_change(db.session.get(ForumSession, session_id))


def _item(session: ForumSession, item_id: int) -> ForumItem:
    item = db.session.get(ForumItem, item_id)
    if item is None or item.session_id != session.id:
        abort(404)
    return item


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index() -> str:
    readable = [session for session in sessions.all_sessions() if ownership.can_read(current_user, session)]
    return render_template("forum/staff_index.html", sessions=readable)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new() -> ResponseReturnValue:
    form = NewSessionForm()
    choices = [(code, native_name(code)) for code in shipped_languages()]
    form.base_language.choices = choices
    form.languages.choices = choices
    form.partner_id.choices = ownership.partner_choices()
    if request.method == "GET":
        form.languages.data = [code for code, _name in choices]
        form.partner_id.data = current_user.partner_id
    if form.validate_on_submit():
        with ownership.new_objects_belong_to(ownership.owner_for_new(form.partner_id.data)):
            session = sessions.create_session(
                title=form.title.data or "",
                base_language=form.base_language.data,
                languages=form.languages.data or [],
                mode=ForumMode(form.mode.data),
                dots_per_person=form.dots_per_person.data or 3,
                several_dots_per_item=form.several_dots_per_item.data,
                requires_approval=form.requires_approval.data,
                items=[line for line in (form.items.data or "").splitlines() if line.strip()],
                prompt=form.prompt.data or "",
                planned_at=form.planned_at.data,
            )
        return redirect(url_for("forum_staff.manage", session_id=session.id))
    status = 422 if request.method == "POST" else 200
    return render_template("forum/staff_new.html", form=form), status


@bp.get("/<int:session_id>")
@roles_required(*STAFF_ROLES)
def manage(session_id: int) -> str:
    session = _session(session_id)
    themes = list(db.session.scalars(sa.select(Theme).order_by(Theme.id)))
    counts = results.session_results(session)
    public = results.public_counts(session, counts)
    now = datetime.now(UTC)
    return render_template(
        "forum/staff_manage.html",
        session=session,
        results=counts,
        public=public,
        rows=labels.rows(public),
        seconds_left=sessions.seconds_left(session, now),
        voting_open=sessions.voting_is_open(session, now),
        time_up=sessions.time_is_up(session, now),
        may_reopen=sessions.may_reopen(session, now),
        timer_minutes=TIMER_MINUTES,
        proposals_allowed=sessions.proposals_allowed(session),
        proposal_cap_max=PROPOSAL_CAP_MAX,
        pending=sessions.pending_items(session),
        opinions=opinions.opinion_groups(session),
        themes=themes,
        form=EmptyForm(),
        item_form=ItemForm(formdata=None),
    )


@bp.post("/<int:session_id>/control")
@roles_required(*STAFF_ROLES)
def control(session_id: int) -> ResponseReturnValue:
    session = _session(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        sessions.control(session, Control(request.form.get("action", "")), datetime.now(UTC))
    except ValueError:
        abort(400)
    except ForumError as error:
        flash(str(error), "error")
    return redirect(url_for("forum_staff.manage", session_id=session.id))


@bp.post("/<int:session_id>/reopen")
@roles_required(Role.ADMIN)
def reopen(session_id: int) -> ResponseReturnValue:
    """An admin undoes a close the same day (audited); voting and proposals stay shut until opened."""
    session = _session(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        sessions.reopen(session, datetime.now(UTC))
    except ForumError as error:
        flash(str(error), "error")
    else:
        flash(_("The session is open again. Voting and proposals stay closed until you open them."), "info")
    return redirect(url_for("forum_staff.manage", session_id=session.id))


@bp.get("/<int:session_id>/close")
@roles_required(*STAFF_ROLES)
def close(session_id: int) -> ResponseReturnValue:
    """The step before closing for good: what closing does, and a button that does it."""
    session = _session(session_id)
    if not session.is_open:
        return redirect(url_for("forum_staff.manage", session_id=session.id))
    return render_template("forum/staff_close.html", session=session, form=EmptyForm())


@bp.post("/<int:session_id>/timer")
@roles_required(*STAFF_ROLES)
def timer(session_id: int) -> ResponseReturnValue:
    """Start a countdown on every screen, or stop it."""
    session = _session(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    choice = request.form.get("minutes", "")
    try:
        sessions.start_timer(session, None if choice == "stop" else int(choice), datetime.now(UTC))
    except ValueError:
        abort(400)
    except ForumError as error:
        flash(str(error), "error")
    return redirect(url_for("forum_staff.manage", session_id=session.id))


@bp.route("/<int:session_id>/translate", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def translate(session_id: int) -> ResponseReturnValue:
    """Side by side: each text in its own language, and a box for the chosen language (proposals too)."""
    session = _session(session_id)
    return translation_view(
        texts=lambda: translations.translatable_fields(session),
        base=session.base_language,
        link=lambda code: url_for("forum_staff.translate", session_id=session.id, lang=code),
        save=lambda lang, submitted: translations.save_translations(session, lang, submitted),
        refused=ForumError,
        template="forum/staff_translate.html",
        base_is_a_target=True,  # proposals may be written in any language, the base one too
        languages=shipped_languages(),
        session=session,
    )


@bp.post("/<int:session_id>/proposal-cap")
@roles_required(*STAFF_ROLES)
def proposal_cap(session_id: int) -> ResponseReturnValue:
    """How many topics one participant may propose in this session."""
    session = _session(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        sessions.set_proposal_cap(session, int(request.form.get("proposals_per_person", "")))
    except ValueError:
        flash(
            _("Write a whole number from 1 to %(max)d.", max=PROPOSAL_CAP_MAX),
            "error",
        )
    except ForumError as error:
        flash(str(error), "error")
    else:
        flash(_("Saved."), "info")
    return redirect(url_for("forum_staff.manage", session_id=session.id))


@bp.post("/<int:session_id>/items")
@roles_required(*STAFF_ROLES)
def add_item(session_id: int) -> ResponseReturnValue:
    session = _session(session_id)
    form = ItemForm()
    if not form.validate_on_submit():
        flash(_("Write the text, at most %(max)d characters.", max=PROPOSAL_MAX), "error")
    else:
        sessions.add_item(session, form.text.data or "")
    return redirect(url_for("forum_staff.manage", session_id=session.id))


@bp.post("/<int:session_id>/items/<int:item_id>")
@roles_required(*STAFF_ROLES)
def item(session_id: int, item_id: int) -> ResponseReturnValue:
    """Approve or hide a proposal, or set an item's themes (also after the session is closed)."""
    session = _session(session_id)
    forum_item = _item(session, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if "status" in request.form:
        try:
            sessions.moderate_item(session, forum_item, ItemStatus(request.form["status"]))
        except ValueError:
            abort(400)
    else:
        try:
            theme_ids = [to_id(value) for value in request.form.getlist("theme_ids")]
        except ValueError:
            abort(400)
        sessions.set_item_themes(forum_item, theme_ids)
    flash(_("Saved."), "info")
    return redirect(url_for("forum_staff.manage", session_id=session.id) + f"#item-{item_id}")


def _export_rows(session: ForumSession) -> list[list[str]]:
    """Results per item with small counts hidden (public_counts): a tiny group's votes could point to a person."""
    public = results.public_counts(session, results.session_results(session))
    statements = session.mode is ForumMode.STATEMENTS
    header = [_("Item"), _("Themes")] + (
        [_("agree"), _("disagree"), _("pass")] if statements else [_("votes")]
    )
    rows = [header]
    for result in public.items:
        shown = [
            str(cell.count) if not cell.suppressed else _("fewer than %(k)d", k=public.k)
            for cell in result.cells.values()
        ]
        themes = ", ".join(theme_name(theme) for theme in result.item.themes)
        rows.append([content(result.item.text, session.base_language).text, themes, *shown])
    return rows


@bp.get("/<int:session_id>/results")
@roles_required(*STAFF_ROLES)
def printable(session_id: int) -> str:
    session = _session(session_id)
    return render_template(
        "forum/staff_results.html",
        session=session,
        rows=_export_rows(session),
        k=threshold(),
        opinions=opinions.opinion_groups(session),
    )


def _export_report(session: ForumSession) -> Report:
    """The same protected results as a report: counts as numbers, a hidden count empty with its flag."""
    public = results.public_counts(session, results.session_results(session))
    hidden = _("Hidden (fewer than %(k)d)", k=public.k)
    names = {"votes": _("votes"), "agree": _("agree"), "disagree": _("disagree"), "pass": _("pass")}
    keys = ["agree", "disagree", "pass"] if session.mode is ForumMode.STATEMENTS else ["votes"]
    columns = [Column(_("Item"), "item"), Column(_("Themes"), "themes")]
    for key in keys:
        columns += [Column(names[key], key, numeric=True), Column(f"{names[key]}: {hidden}", f"{key}_hidden")]
    table = Table("results", _("Results"), columns)
    for result in public.items:
        row: list[Any] = [
            content(result.item.text, session.base_language).text,
            ", ".join(theme_name(theme) for theme in result.item.themes),
        ]
        for key in keys:
            cell = result.cells[key]
            row += [cell.count, cell.suppressed]
        table.rows.append(row)
    about: list[tuple[str, Any]] = [
        (_("Forum session"), content(session.title, session.base_language).text),
        (_("Code"), session.code),
        (_("Participants"), public.participants.count),
        (_("Smallest number shown (k)"), public.k),
        (_("Made"), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    grouped = opinions.opinion_groups(session, public.k)
    tables = [table] + ([_opinion_table(grouped, session)] if grouped is not None else [])
    return Report(_("Forum results"), about, tables)


def _opinion_table(grouped: opinions.OpinionGroups, session: ForumSession) -> Table:
    """Per group what sets it apart, then the common ground per group: protected shares only, no people."""
    hidden = _("Hidden (fewer than %(k)d)", k=grouped.k)
    columns = [
        Column(_("Group"), "group", numeric=True),
        Column(_("People in the group (about)"), "group_size", numeric=True),
        Column(_("Kind"), "kind"),
        Column(_("Statement"), "statement"),
        Column(_("Agree in this group (%)"), "agree_group_percent", numeric=True),
        Column(f"{_('Agree in this group (%)')}: {hidden}", "agree_group_hidden"),
        Column(_("Agree among the others (%)"), "agree_others_percent", numeric=True),
        Column(f"{_('Agree among the others (%)')}: {hidden}", "agree_others_hidden"),
    ]
    table = Table("opinion_groups", _("Opinion groups"), columns)

    def text(item: ForumItem) -> str:
        return content(item.text, session.base_language).text

    for group in grouped.groups:
        for statement in group.apart:
            mine, others = statement.group.cell, statement.rest.cell
            table.rows.append(
                [group.number, group.size, _("Sets the group apart"), text(statement.item)]
                + [per_cent(mine.share), mine.share is None, per_cent(others.share), others.share is None]
            )
    for common in grouped.common:
        for group, cell in zip(grouped.groups, common.shares, strict=True):
            table.rows.append(
                [group.number, group.size, _("Common ground"), text(common.item), per_cent(cell.share)]
                + [cell.share is None, None, False]  # "among the others" does not apply
            )
    return table


@bp.get("/<int:session_id>/results.<any(csv, xlsx):kind>")
@roles_required(*ALL_ROLES)
def export(session_id: int, kind: str) -> Response:
    """Results to download; the owning partner's analysts may read them too (suppressed as everywhere)."""
    session = db.session.get(ForumSession, session_id)
    if session is None or not ownership.can_read(current_user, session):
        abort(404)
    report = _export_report(session)
    results.record_export(session, kind)
    machine = request.args.get("format") == "machine"
    if kind == "xlsx":
        response = report_xlsx(report, machine=machine)
    else:
        style = MACHINE if machine else Style.named(request.args.get("delimiter"), g.lang)
        if machine:  # one bare table for BI tools: the results, or ?table=opinion_groups
            wanted = request.args.get("table", "results")
            report.tables = [t for t in report.tables if t.key == wanted] or report.tables[:1]
        response = report_csv(report, style, machine=machine)
    response.headers["Content-Disposition"] = f'attachment; filename="forum-{session.code}.{kind}"'
    return response
