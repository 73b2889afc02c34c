"""Free-text coding against a versioned codebook, and the population figures behind the reach table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from participation.audit.services import record
from participation.extensions import db
from participation.insights.models import CodebookVersion, PopulationFigure, TextCode
from participation.surveys.models import PUBLISHABLE, Answer, Question, Survey
from participation.themes.models import Theme

PAGE = 100


def current_version() -> CodebookVersion | None:
    """The codebook in force; None until coding starts."""
    return db.session.scalar(sa.select(CodebookVersion).order_by(CodebookVersion.id.desc()).limit(1))


def _version_to_code_with() -> CodebookVersion:
    """The codebook in force, the first one made when the first text is coded (in the caller's block)."""
    version = current_version()
    if version is None:
        version = CodebookVersion(note="first version")
        db.session.add(version)
        db.session.flush()
    return version


def new_version(note: str) -> CodebookVersion:
    """Start a new codebook version, for example after themes were added, renamed or merged."""
    version = CodebookVersion(note=note[:200])
    db.session.add(version)
    db.session.flush()
    record("codebook_version", "codebook_version", version.id, note=note[:200])
    return version


def all_themes() -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.id)))


@dataclass
class TextToCode:
    answer: Answer
    question: Question
    survey: Survey
    codes: list[TextCode]


def texts_to_code(*, include_coded: bool) -> list[TextToCode]:
    """Approved free texts, those without a code first; raw texts never reach analysts (staff only)."""
    coded = sa.select(TextCode.answer_id).distinct()
    query = (
        sa.select(Answer, Question, Survey)
        .join(Question, Question.id == Answer.question_id)
        .join(Survey, Survey.id == Question.survey_id)
        .where(Answer.text_value.is_not(None), Answer.moderation_status.in_(PUBLISHABLE))
        .order_by(Answer.id.desc())
        .limit(PAGE)
    )
    if not include_coded:
        query = query.where(Answer.id.not_in(coded))
    rows = db.session.execute(query).all()
    codes: dict[int, list[TextCode]] = {}
    for code in db.session.scalars(
        sa.select(TextCode).where(TextCode.answer_id.in_([a.id for a, _q, _s in rows]))
    ):
        codes.setdefault(code.answer_id, []).append(code)
    return [
        TextToCode(answer, question, survey, codes.get(answer.id, [])) for answer, question, survey in rows
    ]


def set_codes(answer_id: int, theme_ids: list[int]) -> None:
    """Replace an approved text's themes; kept codes keep their coder and date, new ones get today's."""
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.text_value is None or answer.moderation_status not in PUBLISHABLE:
        raise LookupError(answer_id)
    valid = set(db.session.scalars(sa.select(Theme.id).where(Theme.id.in_(theme_ids))))
    existing = {
        code.theme_id: code
        for code in db.session.scalars(sa.select(TextCode).where(TextCode.answer_id == answer_id))
    }
    with db.transaction():
        version = _version_to_code_with()
        for theme_id, code in existing.items():
            if theme_id not in valid:
                db.session.delete(code)
        for theme_id in valid - existing.keys():
            db.session.add(
                TextCode(
                    answer_id=answer_id,
                    theme_id=theme_id,
                    codebook_version_id=version.id,
                    coder_id=current_user.id,
                )
            )
        record(
            "text_coded",
            "answer",
            answer_id,
            themes=",".join(str(t) for t in sorted(valid)),
            codebook=version.id,
        )


def population() -> dict[str, PopulationFigure]:
    return {figure.age_band: figure for figure in db.session.scalars(sa.select(PopulationFigure))}


def save_population(values: dict[str, int | None], source: str) -> None:
    figures = population()
    with db.transaction():
        for band, count in values.items():
            figure = figures.get(band)
            if count is None:
                if figure is not None:
                    db.session.delete(figure)
                continue
            if figure is None:
                db.session.add(PopulationFigure(age_band=band, count=count, source=source))
            else:
                figure.count, figure.source = count, source
        detail: dict[str, Any] = dict(values)  # no age band is called "user", record()'s one keyword
        record("population_saved", "population_figure", None, **detail)


def record_export(kind: str, filters: object) -> None:
    """Exports are audited: who took which aggregates out, and when."""
    with db.transaction():
        record("needs_exported", "needs_map", None, format=kind, filters=repr(filters))
