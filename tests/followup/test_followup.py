"""Individual follow-up: opt-in at 13+, a code shown once and stored as an HMAC, linking, withdrawal, panel change."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, datetime

import sqlalchemy as sa
import zxingcpp
from PIL import Image

from participation.extensions import db
from participation.followup import services
from participation.followup.models import FollowUp
from participation.suppression import Count, protect
from participation.surveys.models import Answer, Response
from participation.surveys.releases import release_if_due
from tests.factories import gen_survey, open_form, q, valid_answers

CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


def answer(client, survey, **overrides) -> object:
    return client.post(
        f"/en/s/{survey.slug}", data={**open_form(client, survey, "en"), **valid_answers(survey), **overrides}
    )


def opt_in(client, survey, consent: str = "yes"):
    token = open_form(client, gen_survey(f"token-source-{datetime.now(UTC).timestamp()}"), "en")["csrf_token"]
    return client.post(f"/en/s/{survey.slug}/follow-up", data={"csrf_token": token, "consent": consent})


def test_thirteen_plus_get_a_code_shown_once_and_stored_only_as_an_hmac(client):
    survey = gen_survey()
    answer(client, survey, profile_age_band="16_19")
    thanks = client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True)
    assert "I am 13 or older and I want a follow-up code." in thanks
    assert opt_in(client, survey, consent="").status_code == 422
    page = opt_in(client, survey)
    html = page.get_data(as_text=True)
    code = CODE.search(html).group(0)
    assert page.headers["Cache-Control"] == "no-store" and "<svg" in html
    link = db.session.scalar(sa.select(FollowUp))
    assert link.consent_version == services.CONSENT_VERSION
    assert code.replace("-", "") not in link.code_hash
    assert db.session.scalar(sa.select(Response.follow_up_id)) == link.id
    assert opt_in(client, survey).status_code == 403  # already linked


def test_under_thirteen_cannot_opt_in(client):
    survey = gen_survey()
    answer(client, survey, profile_age_band="under_13")
    assert "I am 13 or older" not in client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True)
    assert opt_in(client, survey).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 0


def test_a_code_typed_in_a_later_survey_links_the_answers_and_a_wrong_one_is_explained(app, client):
    first, later = gen_survey("first"), gen_survey("later")
    answer(client, first, profile_age_band="13_15")
    code = CODE.search(opt_in(client, first).get_data(as_text=True)).group(0)
    other_phone = app.test_client()
    wrong = answer(other_phone, later, followup_code="AAAA-BBBB-CCCC")
    assert wrong.status_code == 422 and "We do not know that code" in wrong.get_data(as_text=True)
    assert 'value="AAAA-BBBB-CCCC"' in wrong.get_data(as_text=True)
    assert answer(other_phone, later, followup_code=code.lower().replace("-", " ")).status_code == 303
    links = db.session.scalars(sa.select(Response.follow_up_id)).all()
    assert len(links) == 2 and len(set(links)) == 1 and links[0] is not None


def test_withdrawal_deletes_the_link(client):
    survey = gen_survey()
    answer(client, survey, profile_age_band="20_25")
    code = CODE.search(opt_in(client, survey).get_data(as_text=True)).group(0)
    token = open_form(client, gen_survey("other"), "en")["csrf_token"]
    assert (
        client.post("/en/follow-up/withdraw", data={"csrf_token": token, "code": "NOPE"}).status_code == 404
    )
    done = client.post("/en/follow-up/withdraw", data={"csrf_token": token, "code": code})
    assert done.status_code == 200 and "no longer linked" in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 0
    assert db.session.scalar(sa.select(Response.follow_up_id)) is None
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1  # the anonymous answers stay


def test_panel_change_is_counted_and_suppressed(db):
    survey = gen_survey()
    scale = q(survey, "scale")
    spring, autumn = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC)
    changes = [(2, 4)] * 7 + [(3, 3)] * 6 + [(4, 2)] * 2  # 7 better, 6 same, 2 worse
    for number, (before, after) in enumerate(changes):
        link = FollowUp(code_hash=f"h{number}", consent_version="t", created_hour=spring)
        db.session.add(link)
        db.session.flush()
        for when, value in ((spring, before), (autumn, after)):
            db.session.add(
                Response(
                    survey_id=survey.id,
                    idempotency_key=f"{number}{when}",
                    submitted_hour=when,
                    language="sv",
                    follow_up_id=link.id,
                    answers=[Answer(question_id=scale.id, value_int=value)],
                )
            )
    db.session.commit()
    assert services.panel_change(scale, 20261, 20262, 5).members is None  # nothing released yet
    release_if_due(5)
    change = services.panel_change(scale, 20261, 20262, 5)
    links = db.session.scalars(sa.select(FollowUp.id).order_by(FollowUp.id)).all()
    groups = {"improved": links[:7], "same": links[7:13], "worsened": links[13:]}
    assert change.members == protect(Count.of(links), 5)
    for name, members in groups.items():  # each perturbed on its own: no total minus the others
        assert getattr(change, name).count == protect(Count.of(members), 5), name
    assert change.worsened.suppressed  # two people


def test_without_the_tick_the_box_comes_back_with_the_reason_next_to_it_and_nothing_is_stored(client):
    survey = gen_survey()
    answer(client, survey, profile_age_band="16_19")
    thanks = client.get(f"/en/s/{survey.slug}/thanks").get_data(as_text=True)
    assert f'action="/en/s/{survey.slug}/follow-up"' in thanks and 'id="consent"' in thanks
    page = opt_in(client, survey, consent="")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    box = re.search(r'<input type="checkbox" id="consent"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in box and 'aria-describedby="consent-error"' in box and "autofocus" in box
    assert re.search(r'id="consent-error"[^>]*>Tick the box if you want a code', html)
    assert 'id="follow-up"' in html and f"/en/s/{survey.slug}/thanks" in html
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 0
    assert db.session.scalar(sa.select(Response.follow_up_id)) is None
    assert opt_in(client, survey).status_code == 200  # ticking it then works


def test_the_code_page_offers_copy_and_a_picture_that_never_puts_the_code_in_a_url(client):
    survey = gen_survey()
    answer(client, survey, profile_age_band="16_19")
    page = opt_in(client, survey)
    html = page.get_data(as_text=True)
    code = CODE.search(html).group(0)
    copy = re.search(r'<button type="button"[^>]*data-copy="followup-code"[^>]*>', html).group(0)
    assert " hidden" in copy  # only the script shows it, where the browser can copy
    assert f'<strong id="followup-code">{code}</strong>' in html
    link = re.search(r'<a class="button" href="(data:image/png;base64,[^"]+)" download="([^"]+)"', html)
    assert link and link.group(2).endswith(".png")
    picture = Image.open(io.BytesIO(base64.b64decode(link.group(1).split(",", 1)[1])))
    assert picture.format == "PNG" and picture.width >= 300
    assert zxingcpp.read_barcodes(picture)[0].text == code  # the QR in the picture holds the code
    # Every address the page asks for is first-party and free of the code: nothing for a log to keep.
    for address in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert address.startswith(("/", "#", "data:")) and (
            address.startswith("data:") or code not in address
        )
    assert page.headers["Cache-Control"] == "no-store"
