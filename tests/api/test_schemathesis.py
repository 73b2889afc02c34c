"""schemathesis holds the app to its own OpenAPI document: every check, zero failures.

In process (the WSGI app, no server), on the demo's data, with a real partner token, as
`schemathesis run --checks all` would: the examples, coverage and fuzzing phases for every operation,
each bounded to a few dozen cases so the suite stays quick. The stateful phase has nothing to chain:
the API is read-only and its document has no links.
"""

from __future__ import annotations

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from participation import create_app
from participation.api.services import create_token
from participation.extensions import db, limiter
from participation.forum.models import ForumSession
from participation.placements.models import Placement
from participation.staff.services import get_or_create_partner
from tests.factories import PARTNER

# The document as the app serves it, read once when the tests are collected (it needs no database);
# the cases then go to the test run's app. (schemathesis.pytest.from_fixture, the lazy way, does not
# work with pytest 9.2: it sets a node attribute pytest no longer has.)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
)


_CURRENT: dict[str, str] = {}  # this test's token, for the auth provider below


@schema.auth(refresh_interval=None, retry_on=[])
class PartnerToken:
    """The partner's bearer token, given to schemathesis as the credential: its checks remove it or
    spoil it where they test that the API refuses a request without a valid one."""

    def get(self, case, ctx):  # type: ignore[no-untyped-def]
        return _CURRENT.get("token", "none-before-the-test-runs")

    def set(self, case, data, ctx):  # type: ignore[no-untyped-def]
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture()
def token(app, runner) -> str:  # type: ignore[no-untyped-def]
    """A token of the partner that owns the demo's survey, placements and forum evening."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    _token, clear = create_token(get_or_create_partner(PARTNER), "schemathesis")
    _CURRENT["token"] = clear
    return clear


def test_the_document_is_the_one_the_app_serves(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/openapi.json").get_json() == schema.raw_schema


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_app_keeps_to_its_document(case, app, token) -> None:  # type: ignore[no-untyped-def]
    limiter.reset()  # the rate limits are tested on their own: here every case must reach the view
    case.call_and_validate(app=app)


def test_real_placements_and_forum_sessions_keep_to_the_document(token, client) -> None:  # type: ignore[no-untyped-def]
    """Generated ids rarely exist: the demo's own ones, answered and checked against their schemas."""
    placement = db.session.scalar(sa.select(Placement.id).order_by(Placement.id))
    session = db.session.scalar(sa.select(ForumSession.id).order_by(ForumSession.id))
    for path, url in [
        ("/api/v1/placements/{placement_id}", f"/api/v1/placements/{placement}"),
        ("/api/v1/forum/sessions/{session_id}/results", f"/api/v1/forum/sessions/{session}/results?lang=en"),
    ]:
        response = client.get(url, headers={"Authorization": f"bearer {token}"})
        assert response.status_code == 200, url
        schema[path]["GET"].validate_response(response)
