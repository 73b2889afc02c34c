"""Admins keep the theme taxonomy: goals, themes with names in every language, colours and parents."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.insights.models import CodebookVersion
from participation.themes.models import Theme, VisionGoal
from tests.factories import csrf_token, gen_user, login


def test_admin_adds_a_goal_and_a_theme_and_the_codebook_moves_on(client):
    login(client, gen_user("admin"))
    token = csrf_token(client, "/staff/themes/goals/new")
    assert (
        client.post(
            "/staff/themes/goals/new",
            data={"csrf_token": token, "slug": "democracy", "name-sv": "Inflytande", "name-en": "Influence"},
        ).status_code
        == 302
    )
    goal = db.session.scalar(sa.select(VisionGoal))
    response = client.post(
        "/staff/themes/new",
        data={
            "csrf_token": token,
            "slug": "meeting_places",
            "goal": goal.id,
            "colour": "#1d4f91",
            "name-sv": "Mötesplatser",
            "name-ar": "أماكن اللقاء",
        },
    )
    assert response.status_code == 302
    theme = db.session.scalar(sa.select(Theme))
    assert theme.name == {"sv": "Mötesplatser", "ar": "أماكن اللقاء"} and theme.goal_id == goal.id
    assert db.session.scalar(sa.select(sa.func.count(CodebookVersion.id))) == 1
    page = client.get("/staff/themes/").get_data(as_text=True)
    assert "Mötesplatser" in page and 'fill="#1d4f91"' in page and "not translated" in page


def test_bad_theme_input_is_explained_and_kept(client):
    login(client, gen_user("admin"))
    token = csrf_token(client, "/staff/themes/new")
    for data, message in [
        ({"slug": "Bad Slug", "goal": "", "colour": "#123456", "name-sv": "X"}, "vision goal"),
        ({"slug": "ok_slug", "goal": "999", "colour": "#123456", "name-sv": "Kvar"}, "vision goal"),
    ]:
        response = client.post("/staff/themes/new", data={"csrf_token": token, **data})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
        assert f'value="{data["name-sv"]}"' in response.get_data(as_text=True)
    assert client.post("/staff/themes/new", data={"csrf_token": token, "goal": "abc"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 0
