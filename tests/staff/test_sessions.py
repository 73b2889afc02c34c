"""Sessions: redirects that stay on this site, logout that ends the session on the server, guesses counted
atomically under concurrency, and staff pages and API answers that no cache keeps."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from participation.api.services import create_token
from participation.audit.models import AuditEvent
from participation.extensions import db, limiter
from participation.security import is_local_path, local_path
from participation.staff import services
from participation.staff.models import LoginThrottle
from tests.factories import PASSWORD, csrf_token, gen_survey, gen_user, login

# Each as it appears in the query string; every one of them tries to leave the site or break the header.
EVIL_NEXT = [
    "/sv//evil.example",
    "%2F%09%2Fevil.example",
    "/%09/evil.example",
    "%2F%0A%2Fx",
    "%2F%0D%0A%2Fevil.example",
    "%2F%5Cevil",
    "/%5C%5Cevil.example",
    "%5C%5Cevil.example",
    "/sv/%5Cevil.example",
    "/sv/%09/evil.example",
    "/sv%2F%2Fevil.example",
    "%20%2F%2Fevil.example",
    "%00%2F%2Fevil.example",
    "%2F%7F%2Fevil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "%0Ajavascript:alert(1)",
    "data:text/html,hi",
    "/%E2%80%A8/x",
    "/sv/%C3%A9",
]


def assert_stays_here(response) -> None:  # type: ignore[no-untyped-def]
    """A redirect to a path on this site, also as a browser reads it (tabs and breaks dropped, \\ as /)."""
    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    as_browser_reads_it = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    parts = urlsplit(as_browser_reads_it)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not as_browser_reads_it.startswith("//"), location
    assert not any(ord(c) < 32 or ord(c) == 127 for c in location), location


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_the_language_switch_never_leaves_the_site(client, target):
    assert_stays_here(client.get(f"/sv/language?next={target}"))


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_the_login_never_sends_anyone_elsewhere(client, target):
    user = gen_user("staff")
    token = csrf_token(client, "/staff/login")
    response = client.post(
        f"/staff/login?next={target}", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert_stays_here(response)
    assert client.get("/staff/").status_code == 200  # signed in all the same


def test_paths_on_this_site_are_still_followed(client):
    survey = gen_survey()
    assert client.get(f"/sv/language?next=/en/s/{survey.slug}").headers["Location"] == f"/sv/s/{survey.slug}"
    assert client.get("/en/language?next=/sv/").headers["Location"] == "/en/"
    user = gen_user("staff")
    token = csrf_token(client, "/staff/login")
    data = {"csrf_token": token, "email": user.email, "password": PASSWORD}
    response = client.post("/staff/login?next=/staff/placements/%3Fpage%3D2", data=data)
    assert response.headers["Location"] == "/staff/placements/?page=2"


def test_local_path_judges_targets_as_a_browser_reads_them():
    for evil in ["/\t/evil.example", "/\\evil", "\\\\evil", "/\n/x", " //evil", "javascript:x", "", None]:
        assert local_path(evil) is None and not is_local_path(evil), repr(evil)
    assert local_path("/staff/\r\nSet-Cookie: x") == "/staff/Set-Cookie: x"
    assert local_path("/staff/a\\b") == "/staff/a/b"
    assert local_path("/sv/s/enkät?p=1#q2") == "/sv/s/enkät?p=1#q2"


def session_cookie(client) -> str:  # type: ignore[no-untyped-def]
    return client.get_cookie("delaktig_session").value


def test_a_copied_session_cookie_stops_working_after_logout(app, client):
    login(client, gen_user("staff"))
    copy = app.test_client()
    copy.set_cookie("delaktig_session", session_cookie(client))
    assert copy.get("/staff/").status_code == 200  # the copy works while the session lasts
    assert client.post("/staff/logout", data={"csrf_token": csrf_token(client)}).status_code == 302
    replay = copy.get("/staff/")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/staff/login")
    assert copy.get("/staff/password").headers["Location"].startswith("/staff/login")
    assert "logout" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_logging_in_again_after_logout_works(app, client):
    user = gen_user("staff")
    login(client, user)
    client.post("/staff/logout", data={"csrf_token": csrf_token(client)})
    assert login(client, user).status_code == 302
    assert client.get("/staff/").status_code == 200


GUESSES = 40


def test_concurrent_guesses_are_counted_before_any_is_checked(app, db, monkeypatch):
    """40 wrong passwords at the same moment from one address: only the first five are ever checked."""
    user = gen_user("staff")
    # The route's own limit (20 a minute) would turn half away first; here every guess reaches the count.
    monkeypatch.setattr(limiter, "enabled", False)
    checked: list[str] = []
    lock = threading.Lock()
    real = services.check_password_hash

    def slow_check(stored: str, password: str) -> bool:
        with lock:
            checked.append(password)
        time.sleep(0.05)  # a real hash takes time: a read-modify-write count would let every guess through
        return real(stored, password)

    monkeypatch.setattr(services, "check_password_hash", slow_check)
    clients = [app.test_client() for _ in range(GUESSES)]
    tokens = [csrf_token(c, "/staff/login") for c in clients]
    barrier = threading.Barrier(GUESSES)
    statuses: list[int] = []

    def guess(index: int) -> None:
        data = {"csrf_token": tokens[index], "email": user.email, "password": f"guess number {index}"}
        barrier.wait()
        status = clients[index].post("/staff/login", data=data).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(checked) == services.FREE_FAILURES
    assert sorted(statuses) == [401] * services.FREE_FAILURES + [429] * (GUESSES - services.FREE_FAILURES)
    db.session.expire_all()
    row = db.session.scalars(sa.select(LoginThrottle)).one()
    assert row.failures == services.FREE_FAILURES and row.blocked_until is not None


def test_every_staff_page_is_sent_with_no_store(app, client):
    gen_survey()
    anonymous = app.test_client()
    assert anonymous.get("/staff/login").headers["Cache-Control"] == "no-store"
    assert anonymous.get("/staff/users").headers["Cache-Control"] == "no-store"  # the redirect too
    login(client, gen_user("admin"))
    pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff") and not rule.arguments and "GET" in (rule.methods or ())
    ]
    assert len(pages) > 10
    for page in pages:
        response = client.get(page)
        assert response.status_code < 500, page
        assert response.headers["Cache-Control"] == "no-store", page


def test_api_answers_are_sent_with_no_store(client):
    gen_survey()
    _token, clear = create_token(services.get_or_create_partner("Bostadsbolaget Västerås"), "Power BI")
    db.session.commit()
    for url in ["/api/v1/openapi.json", "/api/v1/surveys", "/api/v1/needs-map", "/api/v1/actions"]:
        response = client.get(url, headers={"Authorization": f"Bearer {clear}"})
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert client.get("/api/v1/surveys").headers["Cache-Control"] == "no-store"  # a refusal too


def test_public_pages_keep_their_own_caching(client):
    for page in ["/sv/", "/sv/accessibility"]:
        assert "Cache-Control" not in client.get(page).headers, page
