"""Generated input on every public form and API route: never a 5xx, and nothing half-stored when refused.

About 2,000 examples per run in total, shared out by weight between the routes; set FUZZ_EXAMPLES to a
larger total (say 50000) to search longer by hand. A failure prints the smallest input that shows it.
"""

from __future__ import annotations

import json
import os
import tempfile
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from participation.api.services import create_token
from participation.extensions import db, limiter
from participation.followup.models import FollowUp
from participation.forum.models import ForumItem, ForumMode, ForumParticipant, ForumSession, ForumVote
from participation.staff.services import get_or_create_partner
from participation.surveys.models import Answer, Response, Survey
from tests.factories import (
    csrf_token,
    gen_forum_session,
    gen_placement,
    gen_survey,
    gen_user,
    hidden_fields,
    login,
    q,
    valid_answers,
)

# Hypothesis keeps its example database out of the working copy.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "delaktig-hypothesis"))

TOTAL = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
WEIGHTS = {
    "submit": 5,
    "switch": 1.5,
    "survey_get": 1,
    "scan": 1,
    "language": 1,
    "join": 1,
    "propose": 2,
    "vote": 2.5,
    "followup": 1.5,
    "api": 3,
    "login": 0.5,
    "staff": 3,
    "json": 1,
}


def fuzz(name: str):  # type: ignore[no-untyped-def]
    """Hypothesis settings for one route: its share of the examples, no deadline (CI machines vary)."""
    share = max(10, round(TOTAL * WEIGHTS[name] / sum(WEIGHTS.values())))
    return settings(
        max_examples=share,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- What attackers and odd phones send -----------------------------------------------------------

SPECIAL = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x7f",
    "\x1b[31m",
    "\u200b",
    "\u202e",
    "\ufeff",
    "\ud7ff",
    "\U0001f4a9",
    "\u0301",
    "١٢",
    "0",
    "-1",
    "1e3",
    "1_000",
    " 7 ",
    str(2**31),
    str(2**63),
    str(10**30),
    "9" * 5000,
    "x" * 600,
    "=cmd|' /C calc'!A0",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "yes",
    "no",
    "13_15",
    "girl",
]
numbers = st.integers(min_value=-(10**40), max_value=10**40).map(str)
# Any character a browser can send (UTF-8 cannot carry a lone surrogate), controls and all.
odd_text = st.text(st.characters(codec="utf-8"), max_size=40)
value = st.one_of(st.sampled_from(SPECIAL), numbers, odd_text)


def field_values(*good: str) -> st.SearchStrategy[object]:
    """A form value: mostly odd input, sometimes a good one, sometimes several at once."""
    single = st.one_of(value, st.sampled_from(good)) if good else value
    return st.one_of(single, st.lists(single, min_size=2, max_size=4))


def form_from(fields: dict[str, st.SearchStrategy[object]]) -> st.SearchStrategy[dict[str, object]]:
    """A form where any field may be missing, plus an unexpected one now and then."""
    extra = st.dictionaries(odd_text, value, max_size=2)
    return st.tuples(st.fixed_dictionaries({}, optional=fields), extra).map(
        lambda pair: {**pair[1], **pair[0]}
    )


@st.composite
def mutated(draw, base: dict[str, object], fields: dict[str, st.SearchStrategy[object]]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A good form with a few fields replaced by odd values or left out, so each check gets reached."""
    form = dict(base)
    if not fields:
        return form
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True)):
        if draw(st.booleans()):
            form.pop(name, None)
        else:
            form[name] = draw(fields[name])
    return form


def forms(base: dict[str, object], fields: dict[str, st.SearchStrategy[object]]) -> st.SearchStrategy[dict]:
    """Mostly near-valid forms, and now and then one made entirely of odd fields."""
    return st.one_of(mutated(base, fields), mutated(base, fields), form_from(fields))


# --- Rows that must not appear for refused input ------------------------------------------------

# A vote or topic that is refused leaves no join behind: the request's rollback takes it with it.
COUNTED = (Response, Answer, ForumItem, ForumVote, ForumParticipant, FollowUp)


def counts() -> tuple[int, ...]:
    """Rows per counted table, in one round trip."""
    db.session.rollback()
    query = sa.select(*(sa.select(sa.func.count()).select_from(model).scalar_subquery() for model in COUNTED))
    return tuple(db.session.execute(query).one())


def check(response, before: tuple[int, ...], *, may_store: bool = True) -> None:  # type: ignore[no-untyped-def]
    """No 5xx; and a refusal (4xx) stores nothing, not even part of the input."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400 or not may_store:
        assert counts() == before


# One path segment of odd text (a slash or a dot segment would make it another route).
path_segment = (
    st.text(st.characters(codec="utf-8", exclude_characters="/"), min_size=1, max_size=40)
    .filter(lambda text: text not in {".", ".."})
    .map(lambda text: quote(text, safe=""))
)


def mostly(good: st.SearchStrategy[str], odd: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three times in four the good value, so the checks behind the URL get reached too."""
    return st.one_of(good, good, good, odd)


def lang_path() -> st.SearchStrategy[str]:
    return mostly(st.sampled_from(["sv", "en", "ar", "fa-AF", "ti"]), path_segment)


# --- The world the examples run in ---------------------------------------------------------------


@pytest.fixture()
def world(db, client):  # type: ignore[no-untyped-def]
    survey = gen_survey()
    gen_placement(survey, "FUZZ1")
    topics = gen_forum_session(ForumMode.TOPICS, items=("Fler bänkar",), requires_approval=False)
    poll = gen_forum_session(ForumMode.POLL, items=("Ja", "Nej"))
    statements = gen_forum_session(ForumMode.STATEMENTS, items=("Skolan är trygg",))
    topics.voting_open = True
    db.session.commit()
    gen_user("staff")
    _token, clear = create_token(get_or_create_partner("Bostadsbolaget Västerås"), "Power BI")
    # Limits would answer most examples with 429 after a minute's worth; the ceilings have tests of their own.
    enabled, limiter.enabled = limiter.enabled, False
    yield {
        "survey": survey,
        "sessions": [topics, poll, statements],
        "api_token": clear,
        "csrf": csrf_token(client, "/sv/f"),
        "form": hidden_fields(client.get(f"/sv/s/{survey.slug}").get_data(as_text=True)),
    }
    limiter.enabled = enabled


def new_phone(client) -> None:  # type: ignore[no-untyped-def]
    """Each example is another phone, so the one-answer-per-device rule does not hide the paths behind it."""
    client.delete_cookie("delaktig_device")


def survey_fields(survey: Survey, hidden: dict[str, str]) -> dict[str, st.SearchStrategy[object]]:
    fields: dict[str, st.SearchStrategy[object]] = {}
    for question in survey.questions:
        good = [str(option.id) for option in question.options] + ["1", "3", "5", "yes", "no", "Mer läxhjälp"]
        fields[f"q{question.id}"] = field_values(*good)
        if question.kind.value == "ranking":
            for rank in (1, 2, 3):
                fields[f"q{question.id}_{rank}"] = field_values(*good)
    for name, good in (("age_band", "13_15"), ("gender", "girl"), ("lives_in_area", "yes")):
        fields[f"profile_{name}"] = field_values(good)
    fields["followup_code"] = field_values("ABCD-EFGH-JKLM")
    fields["placement"] = field_values("FUZZ1")
    fields["submission_key"] = field_values(hidden.get("submission_key", ""))
    fields["csrf_token"] = st.one_of(st.just(hidden.get("csrf_token", "")), value)
    return fields


# --- Participant pages -----------------------------------------------------------------------------


def test_survey_submission(client, world):  # type: ignore[no-untyped-def]
    survey = world["survey"]
    strategy = forms({**world["form"], **valid_answers(survey)}, survey_fields(survey, world["form"]))

    @fuzz("submit")
    @given(form=strategy, lang=st.sampled_from(["sv", "en", "ar"]))
    def run(form: dict[str, object], lang: str) -> None:
        new_phone(client)
        before = counts()
        check(client.post(f"/{lang}/s/{survey.slug}", data=form), before)

    run()


def test_survey_language_switch_stores_nothing(client, world):  # type: ignore[no-untyped-def]
    survey = world["survey"]
    strategy = forms({**world["form"], **valid_answers(survey)}, survey_fields(survey, world["form"]))

    @fuzz("switch")
    @given(form=strategy, lang=lang_path(), slug=mostly(st.just(survey.slug), path_segment))
    def run(form: dict[str, object], lang: str, slug: str) -> None:
        before = counts()
        check(client.post(f"/{lang}/s/{slug}/language", data=form), before, may_store=False)

    run()


def test_survey_pages_and_their_query_strings(client, world):  # type: ignore[no-untyped-def]
    survey = world["survey"]

    @fuzz("survey_get")
    @given(
        lang=lang_path(),
        slug=mostly(st.just(survey.slug), path_segment),
        p=value.map(quote),
        page=st.sampled_from(["", "/thanks"]),
    )
    def run(lang: str, slug: str, p: str, page: str) -> None:
        before = counts()
        check(client.get(f"/{lang}/s/{slug}{page}?p={p}"), before, may_store=False)

    run()


def test_poster_scans(client, world):  # type: ignore[no-untyped-def]
    @fuzz("scan")
    @given(code=st.one_of(st.sampled_from(["FUZZ1", "fuzz1"]), value.map(lambda text: quote(text, safe=""))))
    def run(code: str) -> None:
        before = counts()
        check(client.get(f"/q/{code}"), before, may_store=False)

    run()


def test_language_choice_and_next(client, world):  # type: ignore[no-untyped-def]
    @fuzz("language")
    @given(lang=lang_path(), target=st.one_of(value, st.sampled_from(["/sv//evil.example", "/%09/x"])))
    def run(lang: str, target: str) -> None:
        response = client.get(f"/{lang}/language?next={quote(target, safe='')}")
        assert response.status_code < 500
        location = response.headers.get("Location", "")
        assert not location.startswith("//") and "evil.example" not in location.split("?")[0]

    run()


def test_forum_join(client, world):  # type: ignore[no-untyped-def]
    codes = [session.code for session in world["sessions"]]

    @fuzz("join")
    @given(
        code=field_values(*codes),
        method=st.sampled_from(["GET", "POST"]),
        session_path=st.one_of(st.sampled_from(codes), value.map(lambda text: quote(text, safe=""))),
        page=st.sampled_from(["", "/results.json", "/screen", "/qr.svg"]),
    )
    def run(code: object, method: str, session_path: str, page: str) -> None:
        before = counts()
        if method == "GET":
            first = code[0] if isinstance(code, list) else code
            response = client.get(f"/sv/f?code={quote(str(first), safe='')}")
        else:
            response = client.post("/sv/f", data={"csrf_token": world["csrf"], "code": code})
        check(response, before, may_store=False)
        check(client.get(f"/sv/f/{session_path}{page}"), before, may_store=False)

    run()


def test_forum_proposals(client, world):  # type: ignore[no-untyped-def]
    sessions = world["sessions"]
    strategy = forms(
        {"text": "Mer sommarjobb", "csrf_token": world["csrf"]},
        {"text": field_values("Mer sommarjobb"), "csrf_token": st.one_of(st.just(world["csrf"]), value)},
    )

    @fuzz("propose")
    @given(form=strategy, index=st.integers(0, len(sessions) - 1))
    def run(form: dict[str, object], index: int) -> None:
        new_phone(client)
        before = counts()
        check(client.post(f"/sv/f/{sessions[index].code}/propose", data=form), before)

    run()


def test_forum_votes(client, world):  # type: ignore[no-untyped-def]
    sessions = world["sessions"]
    item_ids = [str(item.id) for session in sessions for item in session.items]
    strategy = forms(
        {"item": item_ids[0], "csrf_token": world["csrf"]},
        {
            "item": field_values(*item_ids),
            "value": field_values("1", "0", "-1"),
            "action": field_values("withdraw", "vote"),
            "csrf_token": st.one_of(st.just(world["csrf"]), value),
        },
    )

    @fuzz("vote")
    @given(form=strategy, index=st.integers(0, len(sessions) - 1), same_phone=st.booleans())
    def run(form: dict[str, object], index: int, same_phone: bool) -> None:
        if not same_phone:
            new_phone(client)
        before = counts()
        check(client.post(f"/sv/f/{sessions[index].code}/vote", data=form), before)

    run()


def test_follow_up_codes(client, world):  # type: ignore[no-untyped-def]
    survey = world["survey"]
    strategy = forms(
        {"code": "ABCD-EFGH-JKLM", "consent": "yes", "csrf_token": world["csrf"]},
        {
            "code": field_values("ABCD-EFGH-JKLM", "abcdefghjklm"),
            "consent": field_values("yes"),
            "csrf_token": st.one_of(st.just(world["csrf"]), value),
        },
    )

    @fuzz("followup")
    @given(form=strategy, opt_in=st.booleans())
    def run(form: dict[str, object], opt_in: bool) -> None:
        before = counts()
        url = f"/sv/s/{survey.slug}/follow-up" if opt_in else "/sv/follow-up/withdraw"
        check(client.post(url, data=form), before, may_store=opt_in)

    run()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | odd_text | st.sampled_from(SPECIAL),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=20,
)


def test_json_bodies_on_participant_routes(client, world):  # type: ignore[no-untyped-def]
    """Nothing here reads JSON, but the edge check parses it: any document, any depth, is no 5xx."""
    survey, session = world["survey"], world["sessions"][0]
    urls = [f"/sv/s/{survey.slug}", f"/sv/f/{session.code}/propose", "/sv/f", "/sv/follow-up/withdraw"]

    @fuzz("json")
    @given(url=st.sampled_from(urls), document=json_values, depth=st.integers(0, 3000))
    def run(url: str, document: object, depth: int) -> None:
        before = counts()
        body = "[" * depth + json.dumps(document) + "]" * depth
        response = client.post(url, data=body, content_type="application/json")
        check(response, before, may_store=False)

    run()


# --- The partner API and the staff login -----------------------------------------------------------


def test_api_with_a_valid_token(client, world):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {world['api_token']}"}
    survey = world["survey"]
    params = st.fixed_dictionaries(
        {},
        optional={
            name: value
            for name in (
                "period",
                "placement",
                "age_band",
                "gender",
                "lives_in_area",
                "lang",
                "source",
                "term",
            )
        },
    )

    @fuzz("api")
    @given(
        route=st.sampled_from(["/api/v1/needs-map", "/api/v1/surveys", "/api/v1/actions", "results"]),
        slug=mostly(st.just(survey.slug), path_segment),
        query=params,
    )
    def run(route: str, slug: str, query: dict[str, str]) -> None:
        url = f"/api/v1/surveys/{slug}/results" if route == "results" else route
        query_string = "&".join(f"{quote(key)}={quote(item, safe='')}" for key, item in query.items())
        response = client.get(f"{url}?{query_string}", headers=headers)
        assert response.status_code < 500
        assert response.is_json, response.get_data(as_text=True)[:200]

    run()


def test_staff_login(client, world):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/staff/login")
    strategy = forms(
        {"email": "staff@example.se", "password": "correct horse battery", "csrf_token": token},
        {
            "email": field_values("staff@example.se", "STAFF@example.se "),
            "password": field_values("correct horse battery"),
            "csrf_token": st.one_of(st.just(token), value),
        },
    )

    @fuzz("login")
    @given(form=strategy, next_path=value)
    def run(form: dict[str, object], next_path: str) -> None:
        response = client.post(f"/staff/login?next={quote(next_path, safe='')}", data=form)
        assert response.status_code < 500
        client.post("/staff/logout", data={"csrf_token": token})

    run()


def test_the_fuzzed_survey_still_answers_normally(client, world):  # type: ignore[no-untyped-def]
    """The example world itself works: a plain valid answer is stored (so the fuzz tests test something)."""
    survey = world["survey"]
    form = {**world["form"], f"q{q(survey, 'pick').id}": str(q(survey, "pick").options[0].id)}
    form[f"q{q(survey, 'scale').id}"] = "3"
    before = counts()
    assert client.post(f"/sv/s/{survey.slug}", data=form).status_code == 303
    assert counts()[0] == before[0] + 1
    assert db.session.scalar(sa.select(sa.func.count(ForumSession.id))) == 3


# --- Staff forms, found on the pages themselves -----------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: their action and each field's name with the value the page gives it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self.forms.append((attributes.get("action", ""), {}))
        elif not self.forms:
            return
        elif tag in {"input", "textarea", "button"} and attributes.get("name"):
            self.forms[-1][1].setdefault(attributes["name"], attributes.get("value", ""))
        elif tag == "select" and attributes.get("name"):
            self._select = attributes["name"]
            self.forms[-1][1].setdefault(self._select, "")
        elif tag == "option" and self._select and not self.forms[-1][1][self._select]:
            self.forms[-1][1][self._select] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


# Signing out, changing one's own password or account would end the run's session, not test a form.
_LEAVE_ALONE = ("/staff/logout", "/staff/password", "/staff/users")


def staff_forms(client, pages: list[str]) -> list[tuple[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    found = []
    for page in pages:
        parser = _Forms()
        parser.feed(client.get(page).get_data(as_text=True))
        for action, fields in parser.forms:
            target = action or page
            if target.startswith("/staff") and not target.startswith(_LEAVE_ALONE):
                found.append((target, fields))
    return found


def test_staff_forms(client, world):  # type: ignore[no-untyped-def]
    """Odd input on every staff form: a 4xx with a message, never a 5xx (admins see every form)."""
    login(client, gen_user("admin", "admin@example.se"))
    survey, session = world["survey"], world["sessions"][0]
    question = survey.questions[0]
    pages = [
        "/staff/surveys/new",
        f"/staff/surveys/{survey.id}",
        f"/staff/surveys/{survey.id}/translate",
        f"/staff/surveys/{survey.id}/questions/new",
        f"/staff/surveys/{survey.id}/questions/{question.id}",
        "/staff/surveys/import",
        "/staff/forum/new",
        f"/staff/forum/{session.id}",
        "/staff/placements/new",
        "/staff/placements/",
        "/staff/themes/new",
        "/staff/themes/goals/new",
        "/staff/measurement/indicators/new",
        "/staff/measurement/programs/new",
        "/staff/actions/new",
        "/staff/api-tokens/",
        "/staff/population",
        "/staff/coding",
        "/staff/moderation/",
        "/staff/",
    ]
    forms = staff_forms(client, pages)
    assert len(forms) >= 15, [action for action, _fields in forms]

    def one_form(form: tuple[str, dict[str, str]]) -> st.SearchStrategy[tuple[str, dict]]:
        action, base = form
        fields = {name: field_values(value) if value else field_values() for name, value in base.items()}
        fields.pop("csrf_token", None)
        return mutated(base, fields).map(lambda data: (action, data))

    # First, the number Hypothesis once found: 5,000 digits are more than Python's int() reads from text.
    for action, base in forms:
        for name in base:
            if name != "csrf_token":
                response = client.post(action, data={**base, name: "9" * 5000})
                assert response.status_code < 500, (action, name, response.get_data(as_text=True)[:300])

    @fuzz("staff")
    @given(posted=st.sampled_from(forms).flatmap(one_form))
    def run(posted: tuple[str, dict]) -> None:
        action, data = posted
        response = client.post(action, data=data)
        assert response.status_code < 500, (action, response.get_data(as_text=True)[:300])

    run()
