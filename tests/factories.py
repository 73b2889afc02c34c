"""Small builders for test data: a survey with every question kind, placements, responses.

Everything belongs to a partner: by default the one `gen_user` puts accounts in, so a default user
owns default data; pass `partner=` (a name) to build another partner's.
"""

from __future__ import annotations

from datetime import datetime

from participation.extensions import db
from participation.placements.models import Placement
from participation.surveys.models import Option, Question, QuestionKind, Survey, SurveyStatus
from participation.themes.models import Theme, VisionGoal

LANGS = ["sv", "en"]
PARTNER = "Bäckby Ungdomsförening"


def gen_partner(name: str = PARTNER):  # type: ignore[no-untyped-def]
    """The partner of that name, created if missing (flushed, not committed)."""
    from participation.staff.services import get_or_create_partner

    return get_or_create_partner(name)


def texts(sv: str, en: str | None = None) -> dict[str, str]:
    return {"sv": sv, "en": en or sv + " (en)"}


def gen_theme(slug: str = "jobs") -> Theme:
    goal = db.session.query(VisionGoal).filter_by(slug="employment").one_or_none()
    if goal is None:
        goal = VisionGoal(slug="employment", name=texts("Väg till arbete", "Path to work"))
    theme = Theme(slug=slug, goal=goal, name=texts(slug))
    db.session.add(theme)
    return theme


def gen_survey(
    slug: str = "test-survey",
    *,
    status: SurveyStatus = SurveyStatus.PUBLISHED,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    profile_fields: tuple[str, ...] = ("age_band", "gender", "lives_in_area"),
    partner: str = PARTNER,
) -> Survey:
    """A committed survey with one question of every kind; `show` is shown only if `pick` = 'b'."""
    survey = Survey(
        slug=slug,
        status=status,
        base_language="sv",
        languages=list(LANGS),
        title=texts("Testenkät", "Test survey"),
        intro=texts("Hej", "Hello"),
        thanks=texts("Tack", "Thanks"),
        profile_fields=list(profile_fields),
        opens_at=opens_at,
        closes_at=closes_at,
        partner=gen_partner(partner),
    )

    def question(key: str, kind: QuestionKind, required: bool = False, **extra: object) -> Question:
        q = Question(
            key=key, kind=kind, required=required, prompt=texts(f"Fråga {key}", f"Question {key}"), **extra
        )
        q.position = len(survey.questions)
        survey.questions.append(q)
        return q

    def options(q: Question, *keys: str) -> None:
        for position, key in enumerate(keys):
            q.options.append(Option(key=key, position=position, label=texts(f"Val {key}", f"Choice {key}")))

    pick = question("pick", QuestionKind.SINGLE_CHOICE, required=True)
    options(pick, "a", "b", "c")
    many = question("many", QuestionKind.MULTIPLE_CHOICE, max_choices=2)
    options(many, "x", "y", "z")
    question("scale", QuestionKind.SCALE, required=True)
    question("yesno", QuestionKind.YES_NO)
    rank = question("rank", QuestionKind.RANKING, max_choices=3)
    options(rank, "r1", "r2", "r3", "r4")
    question("text", QuestionKind.FREE_TEXT)
    question("count", QuestionKind.NUMBER, min_value=0, max_value=80)
    show = question("show", QuestionKind.YES_NO, required=True)
    db.session.add(survey)
    db.session.flush()
    show.show_if_option_id = pick.options[1].id
    db.session.commit()
    return survey


def gen_placement(survey: Survey, code: str = "TEST1", language: str | None = None) -> Placement:
    """A poster for the survey, owned by the survey's partner."""
    placement = Placement(
        code=code, place="Fritidsgården", survey=survey, language=language, partner_id=survey.partner_id
    )
    db.session.add(placement)
    db.session.commit()
    return placement


def q(survey: Survey, key: str) -> Question:
    return next(question for question in survey.questions if question.key == key)


def opt(survey: Survey, key: str, option_key: str) -> str:
    return str(next(option.id for option in q(survey, key).options if option.key == option_key))


def valid_answers(survey: Survey) -> dict[str, object]:
    """A complete, valid set of answers as the rendered form would post them (without tokens)."""
    return {
        f"q{q(survey, 'pick').id}": opt(survey, "pick", "b"),
        f"q{q(survey, 'many').id}": [opt(survey, "many", "x"), opt(survey, "many", "z")],
        f"q{q(survey, 'scale').id}": "2",
        f"q{q(survey, 'yesno').id}": "yes",
        f"q{q(survey, 'rank').id}_1": opt(survey, "rank", "r3"),
        f"q{q(survey, 'rank').id}_2": opt(survey, "rank", "r1"),
        f"q{q(survey, 'text').id}": "Mer läxhjälp på kvällen",
        f"q{q(survey, 'count').id}": "4",
        f"q{q(survey, 'show').id}": "no",
        "profile_age_band": "13_15",
        "profile_gender": "girl",
        "profile_lives_in_area": "yes",
    }


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a rendered survey form (CSRF token, submission key, placement)."""
    import re

    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def open_form(client, survey: Survey, lang: str = "sv", query: str = "") -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/{lang}/s/{survey.slug}{query}")
    assert response.status_code == 200, response.status_code
    return hidden_fields(response.get_data(as_text=True))


PASSWORD = "correct horse battery"


def gen_user(role: str = "staff", email: str | None = None, partner: str | None = PARTNER):  # type: ignore[no-untyped-def]
    from participation.staff.models import Role
    from participation.staff.services import create_user

    return create_user(email or f"{role}@example.se", PASSWORD, Role(role), partner)


def login(client, user, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Sign in through the real login form, CSRF token and all; the workspace is then in English."""
    client.set_cookie("delaktig_lang", "en")
    page = client.get("/staff/login")
    token = hidden_fields(page.get_data(as_text=True)).get("csrf_token") or _csrf_from(
        page.get_data(as_text=True)
    )
    return client.post("/staff/login", data={"csrf_token": token, "email": user.email, "password": password})


def _csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def csrf_token(client, url: str = "/staff/") -> str:  # type: ignore[no-untyped-def]
    return _csrf_from(client.get(url).get_data(as_text=True))


def gen_forum_session(mode=None, items=("Ja", "Nej"), partner: str = PARTNER, **options):  # type: ignore[no-untyped-def]
    """An open forum session (a poll by default) with its items, made the way a facilitator makes one."""
    from participation.forum.models import ForumMode
    from participation.forum.sessions import create_session
    from participation.staff.ownership import new_objects_belong_to

    settings = {"dots_per_person": 3, "several_dots_per_item": False, "requires_approval": True, **options}
    with new_objects_belong_to(gen_partner(partner).id):
        return create_session(
            title="Forum",
            base_language="sv",
            languages=["sv", "en"],
            mode=mode or ForumMode.POLL,
            items=list(items),
            **settings,
        )
