"""Helpers for flood tests: a clock the limiter storage reads, and scripted sends from one address."""

from __future__ import annotations

import time

import pytest

from participation.privacy import DEVICE_COOKIE, new_token
from participation.surveys.models import Survey
from tests.factories import open_form, valid_answers

SCHOOL = "192.0.2.10"  # one address behind a school's or youth centre's router (TEST-NET-1)


class Clock:
    """Stands in for the `time` module inside the limits storages, so windows pass without sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.now += minutes * 60 + hours * 3600


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("limits.storage.memory.time", fake)
    monkeypatch.setattr("limits.storage.redis.time", fake)
    return fake


def from_address(client, address: str = SCHOOL):  # type: ignore[no-untyped-def]
    client.environ_base["REMOTE_ADDR"] = address
    return client


class Script:
    """One form's hidden fields reused for many sends, each with a device cookie of its own making.

    Any well-formed token is a device cookie, so a script needs no form load per send to look like a
    new phone each time: the per-device limit never sees it twice.
    """

    def __init__(self, client, survey: Survey, lang: str = "sv") -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.survey = survey
        self.lang = lang
        self.fields = open_form(client, survey, lang)
        self.answers = valid_answers(survey)

    def send(self) -> int:
        self.client.set_cookie(DEVICE_COOKIE, new_token())
        data = {**self.fields, **self.answers, "submission_key": new_token()}
        return self.client.post(f"/{self.lang}/s/{self.survey.slug}", data=data).status_code
