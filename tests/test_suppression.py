"""Small-cell suppression: hidden cells below k, shares only on a base of ten, no recovery by subtraction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.suppression import suppress, threshold
from participation.surveys.models import Answer, Response
from tests.factories import gen_survey, opt, q


def test_counts_below_k_are_hidden():
    cells = suppress({"a": 12, "b": 4, "c": 9}, base=25, k=5, additive=False)
    assert cells["b"].suppressed and cells["a"].count == 12 and cells["c"].count == 9


def test_a_lone_hidden_cell_gets_a_complementary_one_when_cells_add_up():
    counts = {"a": 12, "b": 4, "c": 9}
    cells = suppress(counts, base=25, k=5, additive=True)
    hidden = [key for key, cell in cells.items() if cell.suppressed]
    assert sorted(hidden) == ["b", "c"]
    # The attacker's move: base minus the visible cells no longer gives any single hidden count.
    visible_sum = sum(cell.count for cell in cells.values() if not cell.suppressed)
    assert 25 - visible_sum == counts["b"] + counts["c"]


def test_zero_is_a_small_cell_too():
    cells = suppress({"yes": 20, "no": 0}, base=20, k=5, additive=True)
    assert all(cell.suppressed for cell in cells.values())


def test_shares_only_on_a_base_of_at_least_ten():
    assert suppress({"a": 5, "b": 4}, base=9, k=5, additive=False)["a"].share is None
    assert suppress({"a": 6, "b": 6}, base=12, k=5, additive=True)["a"].share == pytest.approx(0.5)


def test_k_can_be_raised_but_never_lowered(app):
    with app.app_context():
        app.config["SUPPRESSION_K"] = 3
        try:
            assert threshold() == 5
            app.config["SUPPRESSION_K"] = 8
            assert threshold() == 8
        finally:
            app.config["SUPPRESSION_K"] = 5


def _respond(survey, n: int, choice: str, scale: int) -> None:
    for i in range(n):
        db.session.add(
            Response(
                survey_id=survey.id,
                idempotency_key=f"{choice}-{scale}-{i}-{n}",
                submitted_hour=sa.func.now(),
                language="sv",
                answers=[
                    Answer(question_id=q(survey, "pick").id, option_id=int(opt(survey, "pick", choice))),
                    Answer(question_id=q(survey, "scale").id, value_int=scale),
                ],
            )
        )
    db.session.commit()


def test_thank_you_page_waits_for_k_respondents(client):
    survey = gen_survey()
    _respond(survey, 4, "a", 3)
    page = client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True)
    assert "Results appear when more people have answered." in page
    assert "Choice a" not in page


def test_thank_you_page_hides_small_cells_and_their_complement(client):
    survey = gen_survey()
    _respond(survey, 12, "a", 4)
    _respond(survey, 2, "b", 4)
    _respond(survey, 7, "c", 4)
    page = client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True)
    pick_table = page.split("Question pick", 1)[1].split("</table>", 1)[0]
    assert ">12<" in pick_table
    assert ">2<" not in pick_table and ">7<" not in pick_table
    assert pick_table.count("fewer than 5") == 2
