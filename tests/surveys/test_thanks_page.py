"""The thank-you page rewards first: thanks once, what happens next, the offer, "you said – we did", a summary."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from participation.actions import services as actions
from participation.actions.models import ActionStatus
from participation.extensions import db
from participation.suppression import Count, protect
from participation.surveys.models import Answer, Response, Survey
from participation.surveys.releases import release_if_due
from tests.factories import gen_survey, gen_theme, open_form, opt, q, valid_answers

K = 5


def _respond(
    survey: Survey, n: int, *, choice: str = "a", scale: int = 4, ranks: tuple[str, ...] = ()
) -> None:
    """n released responses with the same answers: a pick, a scale point and a ranking (first to last)."""
    for i in range(n):
        answers = [
            Answer(question_id=q(survey, "pick").id, option_id=int(opt(survey, "pick", choice))),
            Answer(question_id=q(survey, "scale").id, value_int=scale),
        ]
        answers += [
            Answer(question_id=q(survey, "rank").id, option_id=int(opt(survey, "rank", key)), rank=place)
            for place, key in enumerate(ranks, start=1)
        ]
        db.session.add(
            Response(
                survey_id=survey.id,
                idempotency_key=f"{choice}-{scale}-{'.'.join(ranks)}-{i}-{n}",
                submitted_hour=sa.func.now(),
                language="sv",
                answers=answers,
            )
        )
    db.session.commit()
    release_if_due(1)


def _main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def _between(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def _first_choice_figure(survey: Survey, key: str) -> int | None:
    ids = db.session.scalars(
        sa.select(Answer.response_id).where(
            Answer.question_id == q(survey, "rank").id,
            Answer.option_id == int(opt(survey, "rank", key)),
            Answer.rank == 1,
        )
    )
    return protect(Count.of(ids), K)


def test_sections_come_in_the_order_that_rewards_first(client, db):
    survey = gen_survey()
    jobs = gen_theme("jobs")
    q(survey, "scale").themes.append(jobs)
    db.session.commit()
    actions.save_action(
        None,
        title="Sommarjobbsmässa i centrum",
        text="20 nya platser",
        reason="",
        status=ActionStatus.DECIDED,
        partner_id=None,
        decided_on=date(2026, 11, 1),
        published=True,
        theme_ids=[jobs.id],
        base_language="sv",
    )
    _respond(survey, 30, ranks=("r1", "r2"))
    sent = client.post(
        f"/en/s/{survey.slug}", data={**open_form(client, survey, "en"), **valid_answers(survey)}
    )
    page = _main(client.get(sent.headers["Location"]).get_data(as_text=True))
    markers = [
        "Answers received",
        "What happens next",
        "You said – we did",
        "Sommarjobbsmässa i centrum",
        "What others have answered",
        'class="summary-lines"',
        "<details",
        "<table",
        "Want to see if things get better for you?",  # the follow-up offer to this 13-15 year old, last
        "See other surveys",
    ]
    positions = [page.find(marker) for marker in markers]
    assert -1 not in positions, [marker for marker, at in zip(markers, positions, strict=True) if at == -1]
    assert positions == sorted(positions), markers
    assert "at least 5 people have answered" in page  # what happens next says the real k


def test_the_page_thanks_once(client, db):
    survey = gen_survey()
    survey.thanks = {"sv": "Tack för att du svarade!", "en": "Thank you for answering!"}
    db.session.commit()
    page = _main(client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True))
    assert page.count("Thank you") == 1 and "Thank you for answering!" in page
    survey.thanks = {}
    db.session.commit()
    page = _main(client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True))
    assert page.count("Thank you") == 1 and "<h1>Thank you!</h1>" in page


def test_one_summary_line_per_question_and_the_full_tables_behind_a_disclosure(client, db):
    survey = gen_survey()
    _respond(survey, 70, choice="a", scale=4, ranks=("r2", "r1"))
    _respond(survey, 12, choice="c", scale=2, ranks=("r3",))
    page = _main(client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True))
    summary = _between(page, 'class="summary-lines"', "<details")
    lines = re.findall(r'<span class="summary-prompt">(.*?)</span>', summary)
    assert lines == ["Question pick", "Question scale", "Question rank"]  # the questions with a shown base
    assert "The most common answer to each question:" in page
    answers = re.findall(r'<span class="summary-answer">\s*(.*?)\s*<span class="figure">', summary)
    assert answers == ["Choice a", "🙂 Good"]  # 70 against 12: apart by more than twice NOISE_BOUND
    assert "<table" not in summary
    details = _between(page, "<details", "</details>")
    assert "<summary>All answers, question by question</summary>" in details
    assert details.count("<table") == 3 and "numbers smaller than 5 are not shown" in details
    pick = protect(
        Count.of(
            db.session.scalars(
                sa.select(Answer.response_id).where(Answer.option_id == int(opt(survey, "pick", "a")))
            )
        ),
        K,
    )
    assert f">{pick}<" in _between(details, "Question pick", "</table>")


def test_a_ranking_shows_the_rank_order_of_first_choices_from_protected_counts(client, db):
    survey = gen_survey()
    _respond(survey, 40, ranks=("r2", "r1", "r3"))
    _respond(survey, 20, ranks=("r3", "r2"))
    _respond(survey, 2, ranks=("r4", "r2"))  # two people's first choice: never shown, not even derived
    page = _main(client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True))
    figures = {key: _first_choice_figure(survey, key) for key in ("r1", "r2", "r3", "r4")}
    assert figures["r1"] is None and figures["r4"] is None and figures["r2"] and figures["r3"]
    expected = sorted(["r2", "r3"], key=lambda key: -(figures[key] or 0))
    summary = _between(_between(page, 'class="summary-lines"', "<details"), "Question rank", "</li>\n")
    order = re.findall(r"<li>Choice (r\d)", summary)
    assert order == expected  # only shown first choices, most first
    table = _between(_between(page, "<details", "</details>"), "Question rank", "</table>")
    rows = re.findall(r'<th scope="row">Choice (r\d)</th>\s*<td>(.*?)</td>', table)
    assert [key for key, _ in rows[:2]] == expected and {key for key, _ in rows[2:]} == {"r1", "r4"}
    for key, shown in rows:
        assert shown == (str(figures[key]) if figures[key] is not None else "fewer than 5")
    assert "Ranked it first" in table
    # Shares of first choices, not of an option at any rank: together about 100 %, never 201 %.
    shares = [int(share) for share in re.findall(r"(\d+)\s*%", table)]
    assert shares and sum(shares) <= 100 + 2 * 25
    for raw in (">2<", "(2 people)", "(2 %)"):
        assert raw not in page


def test_a_ranking_with_only_small_first_choices_shows_no_order(client, db):
    survey = gen_survey()
    _respond(survey, 30, ranks=())
    for key in ("r1", "r2", "r3", "r4"):
        _respond(survey, 4, ranks=(key,))  # sixteen ranked, each option first for four: below k
    page = _main(client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True))
    base = protect(Count.of(db.session.scalars(sa.select(Answer.response_id).where(Answer.rank == 1))), K)
    if base is None:  # the base is a protected figure too: hidden, the question is left out altogether
        assert "Question rank" not in page
        return
    summary = _between(_between(page, 'class="summary-lines"', "<details"), "Question rank", "</li>\n")
    assert "Too few answers to show yet." in summary and "<ol" not in summary
    table = _between(_between(page, "<details", "</details>"), "Question rank", "</table>")
    assert table.count("fewer than 5") == 4 and ">4<" not in table


def test_the_api_keeps_counting_an_option_at_any_rank(app, client, db):
    from participation.api.services import survey_results

    survey = gen_survey()
    _respond(survey, 20, ranks=("r2", "r1"))
    with app.test_request_context("/en/"):
        rank = next(item for item in survey_results(survey, K, "en")["questions"] if item["key"] == "rank")
    counts = [answer["count"] for answer in rank["answers"]]  # r1, r2, r3, r4
    assert counts[0] is not None and counts[1] is not None  # both, though r1 is never ranked first
    assert counts[2] is None and counts[3] is None
