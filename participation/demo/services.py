"""Loads the Bäckby demo: idempotent, in one transaction, with reproducible synthetic responses."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from participation.actions.models import Action, ActionStatus
from participation.config import MIN_SUPPRESSION_K
from participation.core.changes import execute_counted
from participation.core.terms import term_of
from participation.demo import content
from participation.extensions import db
from participation.followup.models import FollowUp
from participation.forum.models import (
    ForumItem,
    ForumMode,
    ForumParticipant,
    ForumSession,
    ForumVote,
    SessionStatus,
)
from participation.insights.models import CodebookVersion, PopulationFigure, TextCode
from participation.measurement.models import (
    DataPoint,
    Indicator,
    PointStatus,
    Polarity,
    Program,
    ProgramMeasure,
    ProgramQuestion,
)
from participation.measurement.services import computed_points
from participation.placements.models import Placement
from participation.privacy import keyed_hash, truncate_to_hour
from participation.staff.models import Partner, Role, User
from participation.staff.services import get_or_create_partner, hash_password
from participation.suppression import threshold
from participation.surveys.editing import survey_from_spec
from participation.surveys.models import (
    PROFILE_CHOICES,
    Answer,
    ModerationStatus,
    ProfileField,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)
from participation.surveys.releases import release_waiting
from participation.themes.models import Theme, VisionGoal

DEMO_ADMIN = "admin@backby.example"
CREDENTIALS_FILE = "demo-login.txt"
# Three school terms, so trends across periods have something to show.
PERIODS = [
    (datetime(2025, 9, 1, tzinfo=UTC), 110),
    (datetime(2026, 2, 1, tzinfo=UTC), 130),
    (datetime(2026, 9, 1, tzinfo=UTC), 150),
]
SAMPLE_TEXTS = [
    "Fler kvällsaktiviteter på fritidsgården",
    "Bättre belysning vid gångtunneln",
    "More summer jobs for people under 16",
    "Läxhjälp på helgerna också",
    "A place for girls only, one evening a week",
    "Att någon lyssnar på oss när vi säger något",
]


@dataclass
class DemoSummary:
    survey: Survey
    placements: list[Placement]
    login_email: str
    login_password: str
    created: bool


def _goals_and_themes() -> dict[str, Theme]:
    goals: dict[str, VisionGoal] = {}
    for spec in content.GOALS:
        goal = db.session.scalar(sa.select(VisionGoal).where(VisionGoal.slug == spec["slug"]))
        if goal is None:
            goal = VisionGoal(slug=spec["slug"], name=dict(spec["name"]))
            db.session.add(goal)
        goals[spec["slug"]] = goal
    themes: dict[str, Theme] = {}
    for spec in content.THEMES:
        theme = db.session.scalar(sa.select(Theme).where(Theme.slug == spec["slug"]))
        if theme is None:
            theme = Theme(
                slug=spec["slug"], goal=goals[spec["goal"]], colour=spec["colour"], name=dict(spec["name"])
            )
            db.session.add(theme)
        themes[spec["slug"]] = theme
    db.session.flush()
    return themes


def _build_survey(themes: dict[str, Theme]) -> Survey:
    survey = survey_from_spec(
        content.SURVEY, themes, slug=content.SURVEY["slug"], languages=list(current_app.config["LANGUAGES"])
    )
    survey.status = SurveyStatus.PUBLISHED
    survey.retention_days = 3 * 365
    return survey


def _synthetic_answers(survey: Survey, rng: random.Random, period_index: int) -> list[Answer]:
    answers: list[Answer] = []
    chosen: set[int] = set()
    for question in survey.questions:
        if question.show_if_option_id is not None and question.show_if_option_id not in chosen:
            continue
        if not question.required and rng.random() < 0.25:
            continue
        options = question.options
        kind = question.kind
        if kind is QuestionKind.SINGLE_CHOICE:
            # Later terms lean more towards jobs, so the needs map shows a trend.
            weights = [3 + period_index, 3, 2, 2, 2][: len(options)]
            option = rng.choices(options, weights=weights)[0]
            answers.append(Answer(question_id=question.id, option_id=option.id))
            chosen.add(option.id)
        elif kind is QuestionKind.MULTIPLE_CHOICE:
            picks = rng.sample(options, rng.randint(1, question.max_choices or len(options)))
            answers += [Answer(question_id=question.id, option_id=option.id) for option in picks]
        elif kind is QuestionKind.RANKING:
            picks = rng.sample(options, rng.randint(1, 3))
            answers += [
                Answer(question_id=question.id, option_id=option.id, rank=rank)
                for rank, option in enumerate(picks, start=1)
            ]
        elif kind is QuestionKind.SCALE:
            answers.append(
                Answer(question_id=question.id, value_int=rng.choices(range(1, 6), [2, 3, 4, 3, 2])[0])
            )
        elif kind is QuestionKind.YES_NO:
            answers.append(
                Answer(question_id=question.id, value_int=int(rng.random() < 0.35 + 0.1 * period_index))
            )
        elif kind is QuestionKind.NUMBER:
            answers.append(Answer(question_id=question.id, value_int=rng.randint(0, 12)))
        elif kind is QuestionKind.FREE_TEXT and rng.random() < 0.3:
            answers.append(
                Answer(
                    question_id=question.id,
                    text_value=rng.choice(SAMPLE_TEXTS),
                    moderation_status=ModerationStatus.PENDING,
                )
            )
    return answers


def _synthetic_responses(survey: Survey, placements: list[Placement]) -> None:
    # Seeded on purpose: the same synthetic demo every run, and no secret comes from it.
    rng = random.Random(20260901)  # nosec B311
    languages = list(content.SURVEY["title"])
    for period_index, (start, count) in enumerate(PERIODS):
        for number in range(count):
            moment = start + timedelta(days=rng.randint(0, 100), hours=rng.randint(14, 21))
            db.session.add(
                Response(
                    survey_id=survey.id,
                    placement_id=rng.choice(placements).id,
                    respondent_hash=None,
                    idempotency_key=keyed_hash("demo", survey.id, f"{period_index}-{number}"),
                    submitted_hour=truncate_to_hour(moment),
                    language=rng.choices(languages, weights=[10, 2, 4, 3, 3, 2, 1])[0],
                    age_band=rng.choices(PROFILE_CHOICES[ProfileField.AGE_BAND], [2, 5, 6, 3, 1])[0],
                    gender=rng.choices(PROFILE_CHOICES[ProfileField.GENDER], [5, 5, 1, 1])[0],
                    lives_in_area=rng.choices(PROFILE_CHOICES[ProfileField.LIVES_IN_AREA], [7, 2, 1])[0],
                    answers=_synthetic_answers(survey, rng, period_index),
                )
            )


def _moderated_and_coded_texts(themes: dict[str, Theme]) -> None:
    """Half of the synthetic free texts approved and coded, as a youth worker would have done."""
    version = CodebookVersion(note="Bäckby demo codebook")
    db.session.add(version)
    db.session.flush()
    theme_for = {0: "leisure", 1: "safety", 2: "jobs", 3: "school", 4: "leisure", 5: "influence"}
    answers = db.session.scalars(sa.select(Answer).where(Answer.text_value.is_not(None)).order_by(Answer.id))
    for index, answer in enumerate(answers):
        if index % 2:
            continue
        answer.moderation_status = ModerationStatus.APPROVED
        slug = theme_for[SAMPLE_TEXTS.index(answer.text_value)]
        db.session.add(
            TextCode(answer_id=answer.id, theme_id=themes[slug].id, codebook_version_id=version.id)
        )


def _population() -> None:
    """Young people per age band in Bäckby: round, plausible figures for the demo, not official statistics."""
    figures = {"under_13": 1400, "13_15": 520, "16_19": 650, "20_25": 980}
    for band, count in figures.items():
        db.session.add(PopulationFigure(age_band=band, count=count, source="Demo figures"))


def _forum_evening(themes: dict[str, Theme]) -> None:
    """A closed girls' forum evening whose votes feed the needs map."""
    session = ForumSession(
        code="TJEJ24",
        mode=ForumMode.TOPICS,
        status=SessionStatus.CLOSED,
        title={"sv": "Tjejforum: vad ska vi jobba med?", "en": "Girls' forum: what should we work on?"},
        base_language="sv",
        languages=["sv", "en"],
        requires_approval=True,
        proposals_open=False,
        voting_open=False,
        closed_at=datetime(2026, 10, 8, 19, tzinfo=UTC),
    )
    topics = [
        ("Eget rum på fritidsgården en kväll i veckan", "leisure", 14),
        ("Sommarjobb för 15-åringar", "jobs", 11),
        ("Bättre belysning vid gångtunneln", "safety", 9),
        ("Läxhjälp på lördagar", "school", 6),
    ]
    for position, (text, slug, _votes) in enumerate(topics):
        session.items.append(
            ForumItem(position=position, text={"sv": text}, proposed=True, themes=[themes[slug]])
        )
    db.session.add(session)
    db.session.flush()
    for number in range(18):
        participant = ForumParticipant(
            session_id=session.id,
            participant_hash=keyed_hash("demo-forum", session.id, str(number)),
            joined_hour=datetime(2026, 10, 8, 18, tzinfo=UTC),
        )
        db.session.add(participant)
        db.session.flush()
        for item, (_text, _slug, votes) in zip(session.items, topics, strict=True):
            if number < votes:
                db.session.add(
                    ForumVote(session_id=session.id, item_id=item.id, participant_id=participant.id)
                )
    db.session.add(
        Placement(
            code=session.code,
            place="Forum: tjejforum",
            forum_session_id=session.id,
            partner_id=session.partner_id,
        )
    )


def _actions(themes: dict[str, Theme]) -> None:
    """What the partners did about it, published in 'You said – we did'."""
    partners = {p.kind: p for p in db.session.scalars(sa.select(Partner))}
    for spec in content.ACTIONS:
        db.session.add(
            Action(
                title=dict(spec["title"]),
                text=dict(spec["text"]),
                reason=dict(spec.get("reason", {})),
                has_reason=bool(spec.get("reason")),
                base_language="sv",
                status=ActionStatus(spec["status"]),
                partner=partners.get(spec["partner"]),
                decided_on=spec["decided_on"],
                published=True,
                themes=[themes[slug] for slug in spec["themes"]],
            )
        )


def _follow_up_panel(survey: Survey) -> None:
    """Forty young people who kept a follow-up code and answered in both 2026 terms."""
    term = term_of(Response.submitted_hour)
    spring = db.session.scalars(
        sa.select(Response.id).where(Response.survey_id == survey.id, term == 20261).limit(40)
    ).all()
    autumn = db.session.scalars(
        sa.select(Response.id).where(Response.survey_id == survey.id, term == 20262).limit(40)
    ).all()
    for number, (first, second) in enumerate(zip(spring, autumn, strict=False)):
        link = FollowUp(
            code_hash=keyed_hash("demo-follow-up", survey.id, str(number)),
            consent_version="2026-11",
            created_hour=datetime(2026, 3, 1, tzinfo=UTC),
        )
        db.session.add(link)
        db.session.flush()
        execute_counted(
            sa.update(Response).where(Response.id.in_((first, second))).values(follow_up_id=link.id)
        )


def _measurement(survey: Survey) -> None:
    """Indicators for both goals and the girls' forum as a program, so the follow-up pages have something."""
    goals = {goal.slug: goal for goal in db.session.scalars(sa.select(VisionGoal))}
    partners = {p.kind: p for p in db.session.scalars(sa.select(Partner))}
    question = next(q for q in survey.questions if q.key == "influence_feel")
    influence = Indicator(
        goal=goals["democracy"],
        owner=partners["youth_organisation"],
        question=question,
        unit="%",
        name={
            "sv": "Unga som känner att de får vara med och bestämma",
            "en": "Young people who feel they have a say",
        },
        definition={
            "sv": "Andel som svarar 4 eller 5 av 5 på frågan om inflytande i Bäckbyenkäten.",
            "en": "Share answering 4 or 5 of 5 to the influence question in the Bäckby survey.",
        },
        source="Bäckbyenkäten",
        polarity=Polarity.HIGHER_IS_BETTER,
        baseline_period=20252,
        target_period=20272,
        target_value=45.0,
    )
    summer_jobs = Indicator(
        goal=goals["employment"],
        owner=partners["city"],
        unit="%",
        name={"sv": "16–19-åringar med sommarjobb", "en": "16–19-year-olds with a summer job"},
        definition={
            "sv": "Andel av folkbokförda 16–19-åringar i Bäckby med sommarjobb via kommunen eller näringslivet.",
            "en": "Share of registered 16–19-year-olds in Bäckby with a summer job through the city or businesses.",
        },
        source="Västerås stad, arbetsmarknadsförvaltningen",
        polarity=Polarity.HIGHER_IS_BETTER,
        baseline_period=20252,
        baseline_value=21.0,
        target_period=20272,
        target_value=30.0,
    )
    for period, value, status in [
        (20242, 18.0, PointStatus.APPROVED),
        (20252, 21.0, PointStatus.APPROVED),
        (20262, 26.0, PointStatus.PENDING),
    ]:
        summer_jobs.points.append(
            DataPoint(
                period=period,
                value=value,
                status=status,
                story={
                    "sv": "Bostadsbolaget och Bäckby Livs tog emot 14 fler ungdomar."
                    if period == 20262
                    else ""
                },
            )
        )
    program = Program(
        goal=goals["democracy"],
        partner=partners["youth_organisation"],
        name={"sv": "Tjejforum", "en": "Girls' forum"},
    )
    for question_kind, label, value, unit in [
        (ProgramQuestion.HOW_MUCH, "Forumkvällar", 12, "st"),
        (ProgramQuestion.HOW_WELL, "Deltagare som skulle rekommendera forumet", 88, "%"),
        (ProgramQuestion.BETTER_OFF, "Deltagare som känner att de blir lyssnade på", 64, "%"),
    ]:
        program.measures.append(
            ProgramMeasure(period=20262, question=question_kind, label=label, value=value, unit=unit)
        )
    db.session.add_all([influence, summer_jobs, program])
    db.session.flush()
    computed_points(influence, MIN_SUPPRESSION_K)
    influence.baseline_value = next((p.value for p in influence.points if p.period == 20252), None)


def _placements(survey: Survey) -> list[Placement]:
    placements = []
    for spec in content.PLACEMENTS:
        placement = db.session.scalar(sa.select(Placement).where(Placement.code == spec["code"]))
        if placement is None:
            placement = Placement(
                code=spec["code"], place=spec["place"], language=spec["language"], survey=survey
            )
            db.session.add(placement)
        placements.append(placement)
    db.session.flush()
    return placements


def _demo_login() -> tuple[str, str]:
    """The demo admin, with a random password kept in the instance folder (never in the code)."""
    credentials = Path(current_app.instance_path) / CREDENTIALS_FILE
    user = db.session.scalar(sa.select(User).where(User.email == DEMO_ADMIN))
    password = credentials.read_text().strip() if credentials.exists() else ""
    if user is None or not password:
        password = secrets.token_urlsafe(12)
        credentials.write_text(password + "\n")
        credentials.chmod(0o600)
        if user is None:
            partner = get_or_create_partner(content.PARTNERS[0]["name"])
            user = User(email=DEMO_ADMIN, role=Role.ADMIN, partner=partner, password_hash="")  # nosec B106
            db.session.add(user)
        user.password_hash = hash_password(password)
    return DEMO_ADMIN, password


def load_demo() -> DemoSummary:
    """Create whatever of the demo is missing; running it twice changes nothing."""
    for spec in content.PARTNERS:
        get_or_create_partner(spec["name"], spec["kind"])
    themes = _goals_and_themes()
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == content.SURVEY["slug"]))
    created = survey is None
    if survey is None:
        survey = _build_survey(themes)
    placements = _placements(survey)
    if created:
        _synthetic_responses(survey, placements)
        db.session.flush()
        release_waiting(threshold())  # the demo's answers count in results, as one release
        _moderated_and_coded_texts(themes)
        _population()
        _forum_evening(themes)
        _actions(themes)
        _follow_up_panel(survey)
        _measurement(survey)
    email, password = _demo_login()
    db.session.commit()
    return DemoSummary(survey, placements, email, password, created)
