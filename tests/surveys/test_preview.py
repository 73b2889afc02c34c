"""Preview as a phone: the real survey page in a 360 or 320 px frame, in any language (issue 13, point 3)."""

from __future__ import annotations

import re

from participation.surveys.models import SurveyStatus
from tests.factories import gen_survey, gen_user, login


def test_the_preview_frames_the_real_page_at_phone_width(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    page = client.get(f"/staff/surveys/{survey.id}/preview").get_data(as_text=True)
    assert '<html lang="en"' in page  # the page around the frame speaks the staff member's language
    assert "Sending is switched off" in page
    assert 'class="phone-frame phone-360"' in page
    frame = re.search(r'<iframe src="([^"]+)"', page)
    assert frame and frame.group(1) == f"/staff/surveys/{survey.id}/preview/frame?lang=sv"
    assert page.count(f"/staff/surveys/{survey.id}/preview?lang=") >= 7  # every shipped language
    narrow = client.get(f"/staff/surveys/{survey.id}/preview?lang=ar&width=320").get_data(as_text=True)
    assert 'class="phone-frame phone-320"' in narrow
    assert f'src="/staff/surveys/{survey.id}/preview/frame?lang=ar"' in narrow
    odd = client.get(f"/staff/surveys/{survey.id}/preview?lang=xx&width=5000").get_data(as_text=True)
    assert "phone-360" in odd and "frame?lang=sv" in odd  # anything else falls back, never an error


def test_only_the_frame_may_be_framed_and_only_by_this_site(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    outer = client.get(f"/staff/surveys/{survey.id}/preview")
    assert "frame-ancestors 'none'" in outer.headers["Content-Security-Policy"]
    assert outer.headers["X-Frame-Options"] == "DENY"
    inner = client.get(f"/staff/surveys/{survey.id}/preview/frame?lang=fa-AF")
    assert "frame-ancestors 'self'" in inner.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in inner.headers["Content-Security-Policy"]
    assert "script-src 'self'" in inner.headers["Content-Security-Policy"]
    assert inner.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert inner.headers["Cache-Control"] == "no-store"
    text = inner.get_data(as_text=True)
    assert 'dir="rtl"' in text and re.search(r'<button type="submit" disabled>', text)
    assert client.get("/sv/s/test-survey").headers["X-Frame-Options"] == "DENY"


def test_someone_elses_survey_has_no_preview(client):
    survey = gen_survey(status=SurveyStatus.DRAFT, partner="Another partner")
    login(client, gen_user("staff"))
    assert client.get(f"/staff/surveys/{survey.id}/preview/frame").status_code == 404
