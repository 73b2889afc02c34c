"""Which options and questions carry which theme: what the needs map's tally counts responses by."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from participation.extensions import db
from participation.surveys.models import Option, Question, QuestionKind, option_theme, question_theme


@dataclass(frozen=True)
class Tags:
    """Which options and questions carry which theme, as the response pass needs them."""

    options: dict[int, list[int]]  # theme -> themed option ids
    choice_questions: dict[int, list[int]]  # theme -> questions that have such an option
    scale_questions: dict[int, list[int]]  # theme -> scale questions tagged with it

    @property
    def questions(self) -> list[int]:
        every = set()
        for ids in (*self.choice_questions.values(), *self.scale_questions.values()):
            every.update(ids)
        return sorted(every)


def read_tags() -> Tags:
    options: dict[int, set[int]] = {}
    choice_questions: dict[int, set[int]] = {}
    for theme_id, option_id, question_id in db.session.execute(
        sa.select(option_theme.c.theme_id, Option.id, Option.question_id).join(
            option_theme, option_theme.c.option_id == Option.id
        )
    ):
        options.setdefault(theme_id, set()).add(option_id)
        choice_questions.setdefault(theme_id, set()).add(question_id)
    scale_questions: dict[int, set[int]] = {}
    for theme_id, question_id in db.session.execute(
        sa.select(question_theme.c.theme_id, Question.id)
        .join(question_theme, question_theme.c.question_id == Question.id)
        .where(Question.kind == QuestionKind.SCALE)
    ):
        scale_questions.setdefault(theme_id, set()).add(question_id)

    def listed(mapping: dict[int, set[int]]) -> dict[int, list[int]]:
        return {theme: sorted(ids) for theme, ids in sorted(mapping.items())}

    return Tags(listed(options), listed(choice_questions), listed(scale_questions))
