"""The attacker as a test: collect every view, solve them together as linear programs, recover nothing.

The attacker holds a partner's API token and an analyst's login. The dataset has deliberately small
groups (3 boys aged 13–15 at one placement in one term, who all answered 1 on safety; 4 over-25s at
another; single people in rare cells). The attacker reads every filter combination of the needs map
through the API, every breakdown and trend of the analyst's page, reach, and the survey's public results,
and knows how the app protects figures: each shown figure is the true count plus a noise of at most
NOISE_BOUND, and a hidden one is below k after the noise.

Every (measure × term × age band × gender × place) cell is an unknown. For every hidden cell (true value
below k) the attacker's linear programs (scipy's HiGHS) give the smallest and largest value consistent
with everything shown: none may be pinned to its true value. The attacker's best estimates (the
solution that explains every shown figure with the least noise, the maximum-likelihood estimate for this
noise) may be right for no more of the small non-zero cells than guessing without looking at any view
(always the most common small value, which is 1).

The second test is the active attack: 20 responses the attacker submitted and knows are added to the
small groups first, and then the same.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pytest
import sqlalchemy as sa
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, hstack, identity, vstack

from participation.api.services import create_token
from participation.core.terms import in_term
from participation.database import utcnow
from participation.extensions import db, limiter
from participation.forum import sessions
from participation.forum.models import ForumMode, ForumSession
from participation.insights import needs, tally
from participation.insights.models import CodebookVersion, TextCode
from participation.staff.models import Partner
from participation.staff.services import get_or_create_partner
from participation.suppression import NOISE_BOUND
from participation.surveys.models import PROFILE_CHOICES, Answer, ModerationStatus, ProfileField, Response
from participation.surveys.releases import release_if_due
from participation.themes.models import Theme
from tests.factories import gen_placement, gen_survey, gen_theme, gen_user, login, opt, q

K = 5
TERMS = {20252: datetime(2025, 10, 14, 16, tzinfo=UTC), 20261: datetime(2026, 3, 10, 16, tzinfo=UTC)}
AGES = PROFILE_CHOICES[ProfileField.AGE_BAND]
GENDERS = PROFILE_CHOICES[ProfileField.GENDER]
MEASURES = ("respondents", "chose_jobs", "answered_jobs", "chose_safety", "answered_safety", "low", "scaled")
# Each cell measure can be no larger than another in the same cell.
AT_MOST = [
    ("chose_jobs", "answered_jobs"),
    ("chose_safety", "answered_safety"),
    ("low", "scaled"),
    ("answered_jobs", "respondents"),
    ("answered_safety", "respondents"),
    ("scaled", "respondents"),
]


@dataclass
class World:
    survey: object
    places: list[int]
    token: str
    truth: dict[tuple[str, tuple], int] = field(default_factory=lambda: defaultdict(int))
    known: dict[tuple[str, tuple], int] = field(default_factory=lambda: defaultdict(int))
    serial: int = 0

    def add(
        self, term: int, age: str, gender: str, place: int, pick: str, scale: int, *, known: bool
    ) -> None:
        survey = self.survey
        self.serial += 1
        db.session.add(
            Response(
                survey_id=survey.id,
                placement_id=place,
                idempotency_key=f"attack-{self.serial}",
                submitted_hour=TERMS[term],
                language="sv",
                age_band=age,
                gender=gender,
                answers=[
                    Answer(question_id=q(survey, "pick").id, option_id=int(opt(survey, "pick", pick))),
                    Answer(question_id=q(survey, "scale").id, value_int=scale),
                ],
            )
        )
        cell = (term, age, gender, place)
        flags = {
            "respondents": 1,
            "chose_jobs": pick == "a",
            "answered_jobs": 1,
            "chose_safety": pick == "b",
            "answered_safety": 1,
            "low": scale <= 2,
            "scaled": 1,
        }
        for measure, flag in flags.items():
            self.truth[(measure, cell)] += int(flag)
            if known:
                self.known[(measure, cell)] += int(flag)


SMALL_GROUPS = [
    # (term, age, gender, place index, how many, pick, scale): the groups an attacker wants
    (20261, "13_15", "boy", 2, 3, "a", 1),
    (20252, "over_25", "girl", 1, 4, "b", 2),
    (20261, "under_13", "other", 0, 1, "c", 1),
    (20252, "20_25", "rather_not_say", 2, 2, "b", 5),
]


@pytest.fixture()
def world(db) -> World:
    survey = gen_survey("attack")
    jobs, safety = gen_theme("jobs"), gen_theme("safety")
    pick = q(survey, "pick")
    options = {option.key: option for option in pick.options}
    options["a"].themes.append(jobs)
    options["b"].themes.append(safety)
    q(survey, "scale").themes.append(safety)
    places = []
    for number, place in enumerate(("Fritidsgården", "Tvättstugan", "Skolan")):
        placement = gen_placement(survey, f"ATK{number}")
        placement.place = place
        places.append(placement.id)
    db.session.commit()
    # The survey's own partner's token: it reads the survey's results too.
    owner = db.session.get(Partner, survey.partner_id) if getattr(survey, "partner_id", None) else None
    _token, clear = create_token(owner or get_or_create_partner("Bostadsbolaget Västerås"), "attacker")
    w = World(survey, places, clear)
    rng = random.Random(20261202)
    small = {(term, age, gender, places[p]) for term, age, gender, p, *_rest in SMALL_GROUPS}
    added = 0
    while added < 220:
        term = rng.choice(list(TERMS))
        age = rng.choices(AGES, weights=[1, 8, 7, 2, 1])[0]
        gender = rng.choices(GENDERS, weights=[9, 9, 1, 1])[0]
        place = rng.choices(places, weights=[5, 3, 2])[0]
        if (term, age, gender, place) in small:
            continue
        w.add(term, age, gender, place, rng.choice("abc"), rng.randint(1, 5), known=False)
        added += 1
    for term, age, gender, p, n, pick_key, scale in SMALL_GROUPS:
        for _ in range(n):
            w.add(term, age, gender, places[p], pick_key, scale, known=False)
    db.session.commit()
    assert release_if_due(K) is not None
    return w


# --- what the attacker collects ------------------------------------------------------------------------

Box = tuple  # (term or None, age or None, gender or None, place or None)


def _needs_map_views(client, w: World, url: str, headers: dict) -> list[tuple[str, Box, int | None]]:
    """Every filter combination of one way out of the needs map: the API (partner token) or the export."""
    seen = []
    for number, (term, age, gender, place) in enumerate(
        itertools.product([None, *TERMS], [None, *AGES], [None, *GENDERS], [None, *w.places])
    ):
        if number % 50 == 0:
            limiter.reset()  # the attacker has time: 60 requests a minute for six minutes
        params = {
            name: value
            for name, value in (("period", term), ("age_band", age), ("gender", gender), ("placement", place))
            if value is not None
        }
        response = client.get(url, query_string=params, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        data = response.get_json()
        box = (term, age, gender, place)
        respondents = data["respondents"]
        seen.append(
            ("respondents", box, respondents["count"] if isinstance(respondents, dict) else respondents)
        )
        for row in data["themes"]:
            choices = row["components"]["choices"]
            seen.append((f"chose_{row['theme']}", box, choices["count"]))
            seen.append((f"answered_{row['theme']}", box, choices["base"]))
            if "scales" in row["components"]:
                scales = row["components"]["scales"]
                seen.append(("low", box, scales["count"]))
                seen.append(("scaled", box, scales["base"]))
    return seen


def _api_views(client, w: World) -> list[tuple[str, Box, int | None]]:
    return _needs_map_views(client, w, "/api/v1/needs-map", {"Authorization": f"Bearer {w.token}"})


def _export_views(app, w: World) -> list[tuple[str, Box, int | None]]:
    """The analyst's JSON export of the needs map, for every filter combination."""
    analyst = app.test_client()
    login(analyst, gen_user("analyst", email="attacker-analyst@example.se"))
    return _needs_map_views(analyst, w, "/staff/needs/export.json", {})


def _page_views(w: World) -> list[tuple[str, Box, int | None]]:
    """Breakdowns, trend and reach, as the analyst's needs-map page shows them for every filter."""
    seen = []
    slugs = {theme.id: theme.slug for theme in db.session.scalars(sa.select(Theme))}
    names = ("period", "age_band", "gender", "placement")
    for values in itertools.product([None, *TERMS], [None, *AGES], [None, *GENDERS], [None, *w.places]):
        filters = needs.Filters(*values)
        for position, by in enumerate(names):
            if values[position] is not None:
                continue
            for theme_id, groups in needs.breakdown(filters, by, K).items():
                for group, figure in groups.items():
                    box = list(values)
                    box[position] = group
                    seen.append((f"chose_{slugs[theme_id]}", tuple(box), figure.count))
                    if figure.share is not None and figure.share < 1:
                        seen.append(
                            (f"answered_{slugs[theme_id]}", tuple(box), round(figure.count / figure.share))
                        )
        if values[1] is None:
            for row in needs.reach(filters, K):
                box = list(values)
                box[1] = row.age_band
                seen.append(("respondents", tuple(box), row.respondents.count))
    return seen


def _public_views(client, w: World) -> list[tuple[str, Box, int | None]]:
    """The survey's community results (thank-you page and API): option a is jobs, b is safety."""
    data = client.get(
        f"/api/v1/surveys/{w.survey.slug}/results", headers={"Authorization": f"Bearer {w.token}"}
    ).get_json()
    seen = []
    everything = (None, None, None, None)
    pick = next(question for question in data["questions"] if question["key"] == "pick")
    labels = {answer["answer"]: answer["count"] for answer in pick["answers"]}
    seen.append(("answered_jobs", everything, pick["base"]))
    seen.append(("chose_jobs", everything, labels.get("Val a")))
    seen.append(("chose_safety", everything, labels.get("Val b")))
    return seen


# --- the attacker's linear programs --------------------------------------------------------------------


class Attacker:
    """Unknowns per (measure, cell); a shown figure is a true sum of at least k plus a noise of at most
    NOISE_BOUND, a hidden one is below k before or after the noise; the attacker's own responses are
    taken off first."""

    def __init__(self, w: World, views: list[tuple[str, Box, int | None]], known: dict) -> None:
        self.cells = list(itertools.product(list(TERMS), [*AGES, ""], [*GENDERS, ""], [*w.places, 0]))
        self.index = {(m, c): i for i, (m, c) in enumerate(itertools.product(MEASURES, self.cells))}
        self.n = len(self.index)
        figures: dict[tuple[str, Box], set] = defaultdict(set)
        for measure, box, value in views:
            figures[(measure, box)].add(value)
        # The same records give the same figure on every page, export and API call.
        assert all(len(found) == 1 for found in figures.values()), [
            (key, found) for key, found in figures.items() if len(found) > 1
        ][:5]
        shown, shown_values, at_least, hidden, hidden_upper = [], [], [], [], []
        for (measure, box), found in figures.items():
            value = next(iter(found))
            members = [self.index[(measure, c)] for c in self.cells if _in(c, box)]
            offset = sum(known.get((measure, c), 0) for c in self.cells if _in(c, box))
            if value is None:
                hidden.append(members)
                hidden_upper.append(K - 1 - offset)
            else:
                shown.append(members)
                shown_values.append(value - offset)
                at_least.append(K - offset)  # a figure is shown only when its true count reaches k
        self.shown, self.s = _matrix(shown, self.n), np.array(shown_values, dtype=float)
        self.hidden, self.h = _matrix(hidden, self.n), np.array(hidden_upper, dtype=float)
        order = []
        for small, large in AT_MOST:
            for c in self.cells:
                order.append({self.index[(small, c)]: 1.0, self.index[(large, c)]: -1.0})
        self.order = csr_matrix(
            (
                [v for row in order for v in row.values()],
                ([r for r, row in enumerate(order) for _ in row], [col for row in order for col in row]),
            ),
            shape=(len(order), self.n),
        )
        self.a = vstack([self.shown, -self.shown, self.hidden, self.order]).tocsr()
        lowest = np.maximum(self.s - NOISE_BOUND, np.array(at_least, dtype=float))
        self.b = np.concatenate([self.s + NOISE_BOUND, -lowest, self.h + NOISE_BOUND, np.zeros(len(order))])

    def bounds(self, variable: int) -> tuple[float, float]:
        """The smallest and largest value of one cell consistent with everything shown."""
        objective = np.zeros(self.n)
        objective[variable] = 1.0
        low = linprog(objective, A_ub=self.a, b_ub=self.b, bounds=(0, None), method="highs")
        high = linprog(-objective, A_ub=self.a, b_ub=self.b, bounds=(0, None), method="highs")
        assert low.status == 0 and high.status == 0, (low.message, high.message)
        return low.fun, -high.fun

    def estimates(self) -> np.ndarray:
        """The best fit: the cells that explain the shown figures with the least noise in all (the
        maximum-likelihood solution for Laplace-like noise), hidden figures kept below k where possible."""
        m, h = self.shown.shape[0], self.hidden.shape[0]
        identity_m, identity_h = identity(m, format="csr"), identity(h, format="csr")
        a = vstack(
            [
                hstack([self.shown, -identity_m, csr_matrix((m, h))]),
                hstack([-self.shown, -identity_m, csr_matrix((m, h))]),
                hstack([self.hidden, csr_matrix((h, m)), -identity_h]),
                hstack([self.order, csr_matrix((self.order.shape[0], m + h))]),
            ]
        ).tocsr()
        b = np.concatenate([self.s, -self.s, self.h, np.zeros(self.order.shape[0])])
        objective = np.concatenate([np.zeros(self.n), np.ones(m), np.ones(h)])
        fit = linprog(objective, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
        assert fit.status == 0, fit.message
        return fit.x[: self.n]


def _matrix(rows: list[list[int]], width: int) -> csr_matrix:
    return csr_matrix(
        (
            [1.0] * sum(len(r) for r in rows),
            ([i for i, r in enumerate(rows) for _ in r], [c for r in rows for c in r]),
        ),
        shape=(len(rows), width),
    )


def _in(cell: tuple, box: Box) -> bool:
    return all(wanted is None or wanted == have for wanted, have in zip(box, cell, strict=True))


def _collect(app, client, w: World) -> list[tuple[str, Box, int | None]]:
    tally_now = tally.current()
    assert tally_now.responses == sum(v for (m, _c), v in w.truth.items() if m == "respondents")
    return _api_views(client, w) + _export_views(app, w) + _page_views(w) + _public_views(client, w)


def _judge(w: World, attacker: Attacker, *, subtract: dict) -> dict[str, float]:
    """Every small cell: not pinned, and the attacker's best estimates no better than guessing."""

    def true(measure: str, c: tuple) -> int:
        return w.truth.get((measure, c), 0) - subtract.get((measure, c), 0)

    small = [(m, c) for m in MEASURES for c in attacker.cells if 0 < true(m, c) < K]
    zeros = [(m, c) for m in MEASURES for c in attacker.cells if true(m, c) == 0]
    estimate = np.rint(attacker.estimates())
    right = sum(estimate[attacker.index[key]] == true(*key) for key in small)
    # Guessing without looking at any view: always the most common of the small values (mostly 1).
    guessing = max(Counter(true(*key) for key in small).values())
    said_nonzero = sum(estimate[attacker.index[key]] >= 1 for key in small) / len(small)
    zero_said_nonzero = sum(estimate[attacker.index[key]] >= 1 for key in zeros) / len(zeros)
    # The groups the attacker wants, and a sample of the other small and zero cells, by linear programs.
    rng = random.Random(7)
    wanted = [
        (m, (term, age, gender, w.places[p])) for term, age, gender, p, *_ in SMALL_GROUPS for m in MEASURES
    ]
    targets = set(wanted) | set(rng.sample(small, min(20, len(small)))) | set(rng.sample(zeros, 10))
    pinned = []
    for key in sorted(targets, key=str):
        low, high = attacker.bounds(attacker.index[key])
        assert low - 1e-6 <= true(*key) <= high + 1e-6, ("the attacker's model holds the truth", key)
        if high - low < 1 - 1e-6:
            pinned.append((key, true(*key), low, high))
    figures = {
        "views": attacker.shown.shape[0] + attacker.hidden.shape[0],
        "small non-zero cells": len(small),
        "their best estimates right": int(right),
        "right by guessing the commonest small value": guessing,
        "small cells estimated non-zero": round(said_nonzero, 3),
        "zero cells estimated non-zero": round(zero_said_nonzero, 3),
        "cells solved for bounds": len(targets),
        "pinned": len(pinned),
    }
    assert not pinned, (pinned[:5], figures)
    assert right <= guessing, figures
    return figures


def test_no_hidden_count_comes_back_from_every_view_solved_together(app, client, world):
    views = _collect(app, client, world)
    assert len(views) > 5000
    figures = _judge(world, Attacker(world, views, {}), subtract={})
    print(figures)


def test_twenty_known_responses_do_not_give_a_small_group_away(app, client, world):
    """The active attack: the attacker adds 20 responses of their own to the small groups, then reads."""
    for index in range(20):
        term, age, gender, p, _n, _pick, _scale = SMALL_GROUPS[index % len(SMALL_GROUPS)]
        world.add(term, age, gender, world.places[p], "c", 3, known=True)
    db.session.commit()
    assert release_if_due(K) is not None
    views = _collect(app, client, world)
    figures = _judge(world, Attacker(world, views, world.known), subtract=world.known)
    print(figures)


def test_a_small_group_s_quote_shows_in_no_view_however_the_filters_are_combined(app, world):
    """The 3 boys' coded text: the issue's 'unique quote in four views pins its author to a group of 4'."""
    survey = world.survey
    version = CodebookVersion(note="v1")
    db.session.add(version)
    db.session.flush()
    jobs = db.session.scalars(sa.select(Theme).where(Theme.slug == "jobs")).one()
    term, age, gender, p, *_rest = SMALL_GROUPS[0]
    small = db.session.scalars(
        sa.select(Response).where(
            Response.age_band == age,
            Response.gender == gender,
            Response.placement_id == world.places[p],
            in_term(Response.submitted_hour, term),
        )
    ).first()
    large = db.session.scalars(
        sa.select(Response)
        .where(Response.age_band == "13_15", Response.gender == "girl")
        .order_by(Response.id)
    ).first()
    for response, text in ((small, "Vi pojkar i trean vill ha jobb"), (large, "Fler sommarjobb åt alla")):
        answer = Answer(
            response_id=response.id,
            question_id=q(survey, "text").id,
            text_value=text,
            moderation_status=ModerationStatus.APPROVED,
        )
        db.session.add(answer)
        db.session.flush()
        db.session.add(TextCode(answer_id=answer.id, theme_id=jobs.id, codebook_version_id=version.id))
    db.session.commit()
    analyst = app.test_client()
    login(analyst, gen_user("analyst", email="quote-reader@example.se"))
    seen_large = 0
    for values in itertools.product([None, *TERMS], [None, *AGES], [None, *GENDERS], [None, *world.places]):
        params = {name: v for name, v in zip(tally.DIMENSIONS, values, strict=True) if v is not None}
        page = analyst.get("/staff/needs", query_string=params).get_data(as_text=True)
        assert "Vi pojkar i trean" not in page, params
        seen_large += "Fler sommarjobb åt alla" in page
    assert seen_large > 0  # quotes do show where the author's group holds k people


def test_statement_results_pin_no_small_count_after_closing(app, db):
    """A statements session with small groups, read from results.json, the projector and the export."""
    from tests.forum.test_floods import Phone
    from tests.forum.test_forum import make_session

    session = make_session(ForumMode.STATEMENTS, items=("Jag har blivit hotad i skolan", "Skolan är trygg"))
    threatened, safe = (item.id for item in session.items)
    truth = {
        threatened: {"agree": 3, "disagree": 9, "pass": 2},
        safe: {"agree": 12, "disagree": 1, "pass": 1},
    }
    values = {"agree": "1", "disagree": "-1", "pass": "0"}
    phones = [Phone(app, session, f"198.51.100.{n + 1}").fresh() for n in range(14)]
    for item, counts in truth.items():
        choices = [name for name, n in counts.items() for _ in range(n)]
        for phone, name in zip(phones, choices, strict=True):
            assert phone.vote(item, value=values[name]).status_code == 303
    sessions.control(db.session.get(ForumSession, session.id), sessions.Control.CLOSE_SESSION, utcnow())
    data = phones[0].client.get(f"/en/f/{session.code}/results.json").get_json()
    staff = app.test_client()
    login(staff, gen_user("staff"))
    exported = staff.get(f"/staff/forum/{session.id}/results.csv").get_data(as_text=True)
    screen = phones[0].client.get(f"/en/f/{session.code}/screen").get_data(as_text=True)
    participants = data["participants"]
    assert participants == 14
    names = list(values)
    index = {(item, name): i for i, (item, name) in enumerate(itertools.product(truth, names))}
    rows, upper = [], []
    for row in data["items"]:
        for name in names:
            shown = row[name]
            one = np.zeros(len(index))
            one[index[(row["id"], name)]] = 1
            if shown is None:
                rows.append(one), upper.append(K - 1 + NOISE_BOUND)
                assert (
                    str(truth[row["id"]][name]) not in re.findall(r">(\d+)<", screen)
                    or truth[row["id"]][name] >= K
                )
            else:
                rows += [one, -one]
                upper += [shown + NOISE_BOUND, -max(K, shown - NOISE_BOUND)]
                assert str(shown) in exported  # the export shows the very same figure
        # Each participant answers a statement once: the three counts add up to at most everyone.
        total = np.zeros(len(index))
        for name in names:
            total[index[(row["id"], name)]] = 1
        rows.append(total), upper.append(participants)
    a, b = np.array(rows), np.array(upper, dtype=float)
    for (item, name), i in index.items():
        true = truth[item][name]
        if true >= K:
            continue
        objective = np.zeros(len(index))
        objective[i] = 1
        low = linprog(objective, A_ub=a, b_ub=b, bounds=(0, None), method="highs").fun
        high = -linprog(-objective, A_ub=a, b_ub=b, bounds=(0, None), method="highs").fun
        assert low <= true <= high and high - low >= 1, (name, true, low, high)
