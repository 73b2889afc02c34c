"""The translation editor's page, the same for a survey, a forum session and an action.

The capability gives its texts, how to store one language of them and the error its storing raises; this
view picks the language (the first other one when none or the base language is asked for), saves, and on
a refusal shows the page again with what was typed and the boxes that are too long marked (422).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from participation.i18n import editor
from participation.i18n.languages import is_shipped
from participation.staff.forms import EmptyForm


def translation_view(
    *,
    texts: Callable[[], list[editor.Text]],
    base: str,
    link: Callable[[str], str],
    save: Callable[[str, dict[str, str]], object],
    refused: type[Exception],
    template: str,
    base_is_a_target: bool = False,
    languages: list[str] | None = None,
    **context: Any,
) -> ResponseReturnValue:
    """GET shows the editor for `?lang=`; POST stores that language with `save(lang, submitted)`."""
    lang = request.args.get("lang", "")
    if not is_shipped(lang) or (lang == base and not base_is_a_target):
        return redirect(link(editor.first_other_language(base)))
    form = EmptyForm()
    errors: set[str] = set()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        submitted = {key: value for key, value in request.form.items() if key != "csrf_token"}
        try:
            save(lang, submitted)
        except refused as error:
            flash(str(error), "error")
            errors = editor.too_long(texts(), submitted)
        else:
            flash(_("Saved."), "info")
            return redirect(link(lang))
    page = editor.editor(
        texts(),
        lang,
        base,
        link,
        typed=request.form if errors else None,
        errors=errors,
        languages=languages,
    )
    return render_template(template, page=page, form=form, **context), 422 if errors else 200
