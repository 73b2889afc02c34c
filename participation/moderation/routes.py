"""Staff pages of the moderation queue.

Every decision works with and without JavaScript: a form post answers with a redirect back to the same
page, filters and the next item's anchor; the queue's script (static/js/moderation.js) sends the same form
asking for JSON and takes the item off the page in place. Other sources' items (proposed forum topics,
see queue.Source) are decided at `/<source>/<id>` with the source's own services, and only by those whose
partner owns the source's object, exactly as on the source's own pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from participation.core.hygiene import parse_id
from participation.i18n.languages import is_shipped, native_name, shipped_languages
from participation.i18n.routing import staff_language
from participation.moderation import queue as moderation_queue
from participation.moderation import services
from participation.staff import ownership
from participation.staff.auth import STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm

bp = Blueprint("moderation", __name__, url_prefix="/staff/moderation")


bp.add_app_template_filter(services.flag_label, "flag_label")


bp.before_request(staff_language)


def _language_name(code: str) -> str:
    return native_name(code) if is_shipped(code) else code


def _render_queue(status: int = 200, **extra: object) -> ResponseReturnValue:
    partner_id = ownership.scope_partner()  # each partner moderates the answers to its own surveys
    filters = moderation_queue.Filters.from_args(request.args)
    page = render_template(
        "moderation/queue.html",
        page=moderation_queue.page(filters, partner_id=partner_id),
        pending=moderation_queue.pending_count(partner_id=partner_id),
        surveys=moderation_queue.surveys_with_texts(partner_id=partner_id),
        others=[(source, source.sessions(partner_id)) for source in moderation_queue.sources()],
        languages=[(code, native_name(code)) for code in shipped_languages()],
        language_name=_language_name,
        form=EmptyForm(),
        **extra,
    )
    return page, status


@bp.get("/")
@roles_required(*STAFF_ROLES)
def queue() -> ResponseReturnValue:
    return _render_queue()


_ITEM_KEY = re.compile(r"(?:[a-z_]{1,20}-)?[0-9]{1,9}")


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _back(message: str) -> ResponseReturnValue:
    """Back to the same page and filters, at the next item; JSON for the queue's script."""
    if _wants_json():
        return jsonify(ok=True, message=message)
    flash(message, "info")
    filters = moderation_queue.Filters.from_args(request.args)
    following = request.args.get("next", "")
    anchor = f"item-{following}" if _ITEM_KEY.fullmatch(following) else "queue"
    return redirect(url_for("moderation.queue", **filters.args(), _anchor=anchor))


def _refused(message: str, **extra: object) -> ResponseReturnValue:
    if _wants_json():
        return jsonify(ok=False, message=message), 422
    flash(message, "error")
    return _render_queue(422, **extra)


def _checked_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


def _decision() -> services.Decision:
    """The decision a moderation form sent, after its CSRF token; 400 for anything else."""
    _checked_form()
    try:
        return services.Decision(request.form.get("decision", ""))
    except ValueError:
        abort(400)


@bp.post("/<int:answer_id>")
@roles_required(*STAFF_ROLES)
def decide(answer_id: int) -> ResponseReturnValue:
    ownership.require_change(services.survey_of(answer_id))
    decision = _decision()
    try:
        services.decide(answer_id, decision, request.form.get("text"))
    except LookupError:
        abort(404)
    except services.ModerationError as error:
        return _refused(str(error), editing=answer_id, edited_text=request.form.get("text", ""))
    messages = {
        services.Decision.APPROVE: _("Approved."),
        services.Decision.HIDE: _("Hidden."),
        services.Decision.REDACT: _("The redacted text is saved."),
    }
    return _back(messages[decision])


def _source(key: str) -> moderation_queue.Source:
    source = moderation_queue.source_named(key)
    if source is None:
        abort(404)
    return source


@bp.post("/<source_key>/<int:item_id>")
@roles_required(*STAFF_ROLES)
def decide_other(source_key: str, item_id: int) -> ResponseReturnValue:
    """A decision on another source's item (a proposed forum topic), by its own services and audit."""
    source = _source(source_key)
    ownership.require_change(source.owner(item_id))
    decision = _decision()
    try:
        source.decide(item_id, decision.value)
    except LookupError:
        abort(404)
    except services.ModerationError as error:
        return _refused(str(error))
    messages = {services.Decision.APPROVE: _("Approved."), services.Decision.HIDE: _("Hidden.")}
    return _back(messages.get(decision, _("Saved.")))


def _chosen() -> tuple[list[int], dict[str, list[int]]]:
    """The ticked items: answers by their id, other sources' items by "<source>-<id>"."""
    answers: list[int] = []
    others: dict[str, list[int]] = {}
    for value in request.form.getlist("selected"):
        key, _dash, number = value.rpartition("-")
        found = parse_id(number)
        if found is None:
            continue
        if not key:
            answers.append(found)
        elif re.fullmatch(r"[a-z_]{1,20}", key):
            others.setdefault(key, []).append(found)
    return answers, others


@bp.post("/bulk")
@roles_required(*STAFF_ROLES)
def bulk() -> ResponseReturnValue:
    """Approve the chosen unflagged texts together; a flagged one among them refuses all.

    A refusal answers 4xx, so the request's unit of work keeps none of the batch (database.init_app).
    """
    ids, others = _chosen()
    for survey in services.surveys_of(ids):
        ownership.require_change(survey)
    chosen = {_source(key): numbers for key, numbers in others.items()}
    for source, numbers in chosen.items():
        for number in numbers:
            ownership.require_change(source.owner(number))
    _checked_form()
    if not ids and not chosen:
        return _refused(_("Choose at least one text to approve."))
    try:
        approved = services.approve_many(ids) if ids else 0
        for source, numbers in chosen.items():
            approved += source.approve_many(numbers)
    except LookupError:
        abort(404)
    except services.ModerationError as error:
        return _refused(str(error))
    return _back(ngettext("%(num)d text approved.", "%(num)d texts approved.", approved))


@bp.post("/<int:answer_id>/reader")
@roles_required(*STAFF_ROLES)
def needs_reader(answer_id: int) -> ResponseReturnValue:
    """Mark a text for a colleague who reads its language, or take the mark away."""
    return _mark_reader(
        services.survey_of(answer_id),
        lambda needed: services.mark_needs_reader(answer_id, needed),
        f"item-{answer_id}",
    )


def _mark_reader(owner: Any, mark: Callable[[bool], object], anchor: str) -> ResponseReturnValue:
    """A "needs a reader" form on an item of `owner`: JSON for moderation.js, else back to the item."""
    ownership.require_change(owner)
    _checked_form()
    needed = request.form.get("needed") == "1"
    try:
        mark(needed)
    except LookupError:
        abort(404)
    if _wants_json():
        return jsonify(ok=True, needed=needed, message=_("Saved."))
    flash(_("Saved."), "info")
    filters = moderation_queue.Filters.from_args(request.args)
    return redirect(url_for("moderation.queue", **filters.args(), _anchor=anchor))


@bp.post("/<source_key>/<int:item_id>/reader")
@roles_required(*STAFF_ROLES)
def needs_reader_other(source_key: str, item_id: int) -> ResponseReturnValue:
    """The mark "needs a reader" on another source's item (a proposed forum topic)."""
    source = _source(source_key)
    return _mark_reader(
        source.owner(item_id),
        lambda needed: source.mark_reader(item_id, needed),
        f"item-{source_key}-{item_id}",
    )
