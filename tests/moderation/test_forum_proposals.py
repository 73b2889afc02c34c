"""Proposed forum topics wait in the moderation queue beside the free texts: filtered, marked, decided in
place, approved together, and only by the partner that holds the session (issue 14, point 1)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.core.textflags import detect_flags
from participation.database import utcnow
from participation.extensions import db
from participation.forum.models import ForumItem, ForumMode, ItemStatus
from participation.moderation.queue import PAGE_SIZE
from participation.surveys.models import ModerationStatus
from tests.factories import csrf_token, gen_forum_session, gen_survey, gen_user, login
from tests.moderation.test_queue import add_texts, status_of

QUEUE = "/staff/moderation/"
A, B = "Bäckby Ungdomsförening", "Bostadsbolaget Västerås"


def forum(title: str = "Kvällsforum i Bäckby", partner: str = A):  # type: ignore[no-untyped-def]
    session = gen_forum_session(mode=ForumMode.TOPICS, items=("Facilitatorns egen punkt",), partner=partner)
    session.title = {"sv": title}
    db.session.commit()
    return session


def propose(session, text: str, *, language: str = "sv", days_ago: float = 0, **extra) -> ForumItem:  # type: ignore[no-untyped-def]
    """A proposal as voting.propose stores it: pending, flagged by the same rules, in the phone's language."""
    item = ForumItem(
        position=len(session.items),
        text={language: text},
        language=language,
        proposed=True,
        flags=detect_flags(text),
        status=ItemStatus.PENDING,
        created_at=utcnow() - timedelta(days=days_ago),
        **extra,
    )
    session.items.append(item)
    db.session.commit()
    return item


def status(item: ForumItem) -> ItemStatus:
    return db.session.scalar(sa.select(ForumItem.status).where(ForumItem.id == item.id))


def keys(html: str) -> list[str]:
    return re.findall(r'<li id="item-([a-z_]+-\d+|\d+)"', html)


@pytest.fixture()
def staff_a(client):  # type: ignore[no-untyped-def]
    login(client, gen_user("staff", email="staff-a@example.se", partner=A))
    return client


def test_a_proposal_from_a_phone_waits_in_the_queue_marked_like_a_free_text(app, staff_a):
    session = forum()
    phone = app.test_client()
    page = phone.get(f"/sv/f/{session.code}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert token is not None
    sent = phone.post(
        f"/sv/f/{session.code}/propose", data={"csrf_token": token.group(1), "text": "Ring mig 070-123 45 67"}
    )
    assert sent.status_code < 400
    html = staff_a.get(QUEUE).get_data(as_text=True)
    proposal = db.session.scalar(sa.select(ForumItem).where(ForumItem.proposed.is_(True)))
    assert keys(html) == [f"forum-{proposal.id}"]
    assert "1 text is waiting for a decision." in html
    item = html[html.index(f'id="item-forum-{proposal.id}"') :]
    assert "Kvällsforum i Bäckby" in item and "Proposed topic" in item
    assert '<span lang="sv">Svenska</span>' in item
    assert "<mark>070-123 45 67</mark>" in item and "(phone number)" in item
    assert "Look closely, this may contain: phone number." in item
    # Hide comes first on a flagged proposal; there is no redaction, the forum has no such state.
    form = item[item.index("<form") : item.index("</form>")]
    assert form.index('value="hide" data-primary') < form.index('value="approve"')
    assert 'value="redact"' not in form and 'name="selected"' not in form
    assert "Facilitatorns egen punkt" not in html  # the facilitator's own item needs nobody's approval


def test_only_waiting_proposals_appear_and_the_filters_apply_to_them(staff_a):
    session, other = forum(), forum("Storforum på torget")
    survey = gen_survey(partner=A)
    answer = add_texts(survey, ["Fler kvällar"])[0]
    calm = propose(session, "Fler fotbollsplaner")
    flagged = propose(session, "mejla sara@example.se")
    arabic = propose(other, "ملعب جديد", language="ar", days_ago=10)
    propose(session, "Redan godkänd").status = ItemStatus.APPROVED
    propose(session, "Redan dold").status = ItemStatus.HIDDEN
    propose(session, "Hållen av flodskyddet", quarantined=True)
    db.session.commit()

    def shown(query: str = "") -> list[str]:
        return keys(staff_a.get(f"{QUEUE}?{query}").get_data(as_text=True))

    f = lambda item: f"forum-{item.id}"  # noqa: E731
    assert shown() == [f(flagged), f(calm), f(arabic), str(answer.id)]  # flagged first, then oldest
    assert shown(f"source=forum-{session.id}") == [f(flagged), f(calm)]
    assert shown(f"source=forum-{other.id}") == [f(arabic)]
    assert shown(f"source=survey-{survey.id}") == shown(f"survey={survey.id}") == [str(answer.id)]
    assert shown("language=ar") == [f(arabic)]
    assert shown("flagged=1") == [f(flagged)]
    assert shown("age=day") == [f(flagged), f(calm), str(answer.id)]
    assert shown("age=older") == [f(arabic)]
    assert shown(f"source=forum-{session.id}&language=ar") == []
    assert shown("needs_reader=1") == []  # none is marked for a reader yet
    assert shown("source=forum-x") == shown("source=survey-0") == shown()  # malformed: no filter
    assert shown("source=nosuch-1") == []  # a source nobody answers for holds nothing
    html = staff_a.get(QUEUE).get_data(as_text=True)
    assert f'<option value="forum-{session.id}">Kvällsforum i Bäckby</option>' in html
    assert f'<option value="forum-{other.id}">Storforum på torget</option>' in html
    assert '<optgroup label="Forum sessions">' in html
    chosen = staff_a.get(f"{QUEUE}?source=forum-{other.id}").get_data(as_text=True)
    assert f'<option value="forum-{other.id}" selected>' in chosen
    assert "4 texts are waiting for a decision." in html


def test_proposals_share_the_pages_with_the_answers(staff_a):
    session, survey = forum(), gen_survey(partner=A)
    answers = add_texts(survey, [f"Mer läxhjälp {n}" for n in range(PAGE_SIZE + 5)])
    proposals = [propose(session, f"Ämne {n}") for n in range(3)]
    first = staff_a.get(QUEUE).get_data(as_text=True)
    assert "28 texts match." in first and "Page 1 of 2." in first
    assert keys(first) == [f"forum-{p.id}" for p in proposals] + [str(a.id) for a in answers[:17]]
    second = staff_a.get(f"{QUEUE}?page=2").get_data(as_text=True)
    assert keys(second) == [str(a.id) for a in answers[17:]]


def test_deciding_on_a_proposal_in_place_and_without_javascript(staff_a):
    session = forum()
    first, second, third = (propose(session, text) for text in ("Fler bänkar", "Längre öppettider", "Gym"))
    token = csrf_token(staff_a, QUEUE)
    manage = staff_a.get(f"/staff/forum/{session.id}").get_data(as_text=True)
    assert "Fler bänkar" in manage

    # Without JavaScript: back to the same filters, at the next item.
    url = f"{QUEUE}forum/{first.id}?source=forum-{session.id}&next=forum-{second.id}"
    response = staff_a.post(url, data={"csrf_token": token, "decision": "approve"})
    assert response.status_code == 302
    assert response.location.endswith(f"{QUEUE}?source=forum-{session.id}#item-forum-{second.id}")
    assert status(first) is ItemStatus.APPROVED
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "forum_item_approved"))
    assert event is not None and event.object_id == first.id and event.user_id is not None
    assert event.detail.get("session") == session.code  # audited as on the facilitator's page

    # With JavaScript: JSON, nothing reloads.
    hidden = staff_a.post(
        f"{QUEUE}forum/{second.id}",
        data={"csrf_token": token, "decision": "hide"},
        headers={"Accept": "application/json"},
    )
    assert hidden.get_json() == {"ok": True, "message": "Hidden."}
    assert status(second) is ItemStatus.HIDDEN
    redact = staff_a.post(
        f"{QUEUE}forum/{third.id}",
        data={"csrf_token": token, "decision": "redact", "text": "G"},
        headers={"Accept": "application/json"},
    )
    assert redact.status_code == 422 and "approved or hidden" in redact.get_json()["message"]
    assert status(third) is ItemStatus.PENDING
    bad = staff_a.post(f"{QUEUE}forum/{third.id}", data={"csrf_token": token, "decision": "publish"})
    assert bad.status_code == 400
    assert (
        staff_a.post(f"{QUEUE}forum/{third.id}", data={"decision": "approve"}).status_code == 400
    )  # no token
    assert (
        staff_a.post(f"{QUEUE}forum/999999", data={"csrf_token": token, "decision": "hide"}).status_code
        == 404
    )
    assert staff_a.post(f"{QUEUE}nosuch/{third.id}", data={"csrf_token": token}).status_code == 404
    assert status(third) is ItemStatus.PENDING
    html = staff_a.get(QUEUE).get_data(as_text=True)
    assert keys(html) == [f"forum-{third.id}"]
    manage = staff_a.get(f"/staff/forum/{session.id}").get_data(as_text=True)
    pending = manage[manage.index('id="pending-heading"') : manage.index("Items and results")]
    assert "Gym" in pending and "Fler bänkar" not in pending and "Längre öppettider" not in pending


def test_bulk_approval_takes_unflagged_proposals_and_a_flagged_one_refuses_all(staff_a):
    session, survey = forum(), gen_survey(partner=A)
    answer = add_texts(survey, ["Fler kvällar"])[0]
    calm = propose(session, "Fler bänkar")
    flagged = propose(session, "jag heter Ahmed")
    token = csrf_token(staff_a, QUEUE)
    html = staff_a.get(QUEUE).get_data(as_text=True)
    assert f'name="selected" value="forum-{calm.id}" form="bulk"' in html
    assert f'value="forum-{flagged.id}" form="bulk"' not in html

    refused = staff_a.post(
        f"{QUEUE}bulk",
        data={"csrf_token": token, "selected": [str(answer.id), f"forum-{calm.id}", f"forum-{flagged.id}"]},
    )
    assert refused.status_code == 422 and "decide on it alone" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert status_of(answer) is ModerationStatus.PENDING  # the whole batch was kept back
    assert status(calm) is ItemStatus.PENDING and status(flagged) is ItemStatus.PENDING

    done = staff_a.post(
        f"{QUEUE}bulk",
        data={"csrf_token": token, "selected": [str(answer.id), f"forum-{calm.id}"]},
        headers={"Accept": "application/json"},
    )
    assert done.get_json() == {"ok": True, "message": "2 texts approved."}
    assert status_of(answer) is ModerationStatus.APPROVED and status(calm) is ItemStatus.APPROVED
    assert status(flagged) is ItemStatus.PENDING
    bulk_events = db.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "forum_item_approved")
    )
    assert list(bulk_events) == [calm.id]


@pytest.mark.parametrize("actor", ["staff_b", "analyst_a", "admin"])
def test_another_partner_neither_sees_nor_decides_on_a_s_proposals(client, actor):
    session = forum()
    calm, flagged = propose(session, "Fler bänkar"), propose(session, "Ring 070-123 45 67")
    role, _, partner = actor.partition("_")
    login(
        client, gen_user(role, email=f"{actor}@example.se", partner={"a": A, "b": B}.get(partner, "Backbone"))
    )
    token = csrf_token(client)
    queue = client.get(QUEUE)
    decide = client.post(f"{QUEUE}forum/{calm.id}", data={"csrf_token": token, "decision": "approve"})
    hide = client.post(f"{QUEUE}forum/{flagged.id}", data={"csrf_token": token, "decision": "hide"},
                       headers={"Accept": "application/json"})  # fmt: skip
    bulk = client.post(f"{QUEUE}bulk", data={"csrf_token": token, "selected": [f"forum-{calm.id}"]})
    if actor == "admin":  # the backbone may moderate every partner's, as on the facilitator's page
        assert "Fler bänkar" in queue.get_data(as_text=True)
        assert decide.status_code == 302 and hide.get_json()["ok"] is True and bulk.status_code == 302
        assert status(calm) is ItemStatus.APPROVED and status(flagged) is ItemStatus.HIDDEN
        return
    expected = 404 if actor == "staff_b" else 403  # another partner's is as if it did not exist
    assert decide.status_code == hide.status_code == bulk.status_code == expected
    assert status(calm) is ItemStatus.PENDING and status(flagged) is ItemStatus.PENDING
    if actor == "staff_b":
        html = queue.get_data(as_text=True)
        assert "Fler bänkar" not in html and "070-123" not in html and "Kvällsforum" not in html
        assert "Nothing is waiting" in html
        assert keys(client.get(f"{QUEUE}?source=forum-{session.id}").get_data(as_text=True)) == []
        assert (
            client.post(
                f"/staff/forum/{session.id}/items/{calm.id}", data={"csrf_token": token, "status": "approved"}
            ).status_code
            == 404
        )
    else:
        assert queue.status_code == 403


def test_the_staff_home_counts_waiting_proposals(staff_a):
    propose(forum(), "Fler bänkar")
    home = staff_a.get("/staff/").get_data(as_text=True)
    assert "/staff/moderation/" in home
    assert "1 text is waiting." in home


def test_a_proposal_is_left_for_a_reader_of_its_language(app, staff_a):
    session = forum()
    arabic = propose(session, "ملعب جديد", language="ar")
    calm = propose(session, "Fler fotbollsplaner")
    action = f"/staff/moderation/forum/{arabic.id}/reader"
    html = staff_a.get(QUEUE).get_data(as_text=True)
    item = html[html.index(f'id="item-forum-{arabic.id}"') :]
    assert f'action="{action}"' in item[: item.index("</article>")]
    assert "leave it for a colleague who reads العربية" in item[: item.index("</article>")]
    token = csrf_token(staff_a, QUEUE)
    marked = staff_a.post(f"{action}?language=ar", data={"csrf_token": token, "needed": "1"})
    assert marked.status_code == 302 and marked.headers["Location"].endswith(f"#item-forum-{arabic.id}")
    assert "language=ar" in marked.headers["Location"]  # back to the same filters
    db.session.expire_all()
    assert db.session.get(ForumItem, arabic.id).needs_reader is True
    events = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == arabic.id))
    assert "proposal_needs_reader" in list(events)
    assert keys(staff_a.get(f"{QUEUE}?needs_reader=1").get_data(as_text=True)) == [f"forum-{arabic.id}"]
    json_answer = staff_a.post(
        action, data={"csrf_token": token, "needed": "0"}, headers={"Accept": "application/json"}
    )
    assert json_answer.status_code == 200 and json_answer.get_json()["needed"] is False
    assert keys(staff_a.get(f"{QUEUE}?needs_reader=1").get_data(as_text=True)) == []
    # Another partner's staff cannot mark it, nor can an analyst; an unknown item is not found.
    other = app.test_client()
    login(other, gen_user("staff", email="staff-b@example.se", partner=B))
    refused = other.post(action, data={"csrf_token": csrf_token(other, QUEUE), "needed": "1"})
    assert refused.status_code == 404
    analyst = app.test_client()
    login(analyst, gen_user("analyst", email="analyst-a@example.se", partner=A))
    assert (
        analyst.post(action, data={"csrf_token": csrf_token(analyst, "/staff/"), "needed": "1"}).status_code
        == 403
    )
    missing = staff_a.post("/staff/moderation/forum/999999/reader", data={"csrf_token": token, "needed": "1"})
    assert missing.status_code == 404
    db.session.expire_all()
    assert db.session.get(ForumItem, arabic.id).needs_reader is False
    assert db.session.get(ForumItem, calm.id).needs_reader is False
