"""Loads the Bäckby demo: idempotent, in one transaction, with reproducible synthetic responses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from participation.actions.models import Action, ActionStatus
from participation.config import MIN_SUPPRESSION_K
from participation.core.changes import execute_counted
from participation.core.terms import term_of
from participation.demo import content
from participation.demo.synthetic import SAMPLE_TEXTS, synthetic_responses
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
from participation.privacy import keyed_hash
from participation.staff.models import Partner, Role, User
from participation.staff.services import get_or_create_partner, hash_password
from participation.suppression import threshold
from participation.surveys.editing import survey_from_spec
from participation.surveys.models import (
    Answer,
    ModerationStatus,
    Response,
    Survey,
    SurveyStatus,
)
from participation.surveys.releases import release_waiting
from participation.themes.models import Theme, VisionGoal

DEMO_ADMIN = "admin@backby.example"
CREDENTIALS_FILE = "demo-login.txt"


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
        assert answer.text_value is not None  # the query takes only answers with a text
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
    """Create whatever of the demo is missing, all of it or nothing; running it twice changes nothing."""
    with db.transaction():
        for spec in content.PARTNERS:
            get_or_create_partner(spec["name"], spec["kind"])
        themes = _goals_and_themes()
        survey = db.session.scalar(sa.select(Survey).where(Survey.slug == content.SURVEY["slug"]))
        created = survey is None
        if survey is None:
            survey = _build_survey(themes)
        placements = _placements(survey)
        if created:
            _example_data(survey, placements, themes)
        email, password = _demo_login()
    return DemoSummary(survey, placements, email, password, created)


def _example_data(survey: Survey, placements: list[Placement], themes: dict[str, Theme]) -> None:
    synthetic_responses(survey, placements)
    db.session.flush()
    release_waiting(threshold())  # the demo's answers count in results, as one release
    _moderated_and_coded_texts(themes)
    _population()
    _forum_evening(themes)
    _actions(themes)
    _follow_up_panel(survey)
    _measurement(survey)
