"""Signals reach the receivers the factory connected for this app: one answer each, never another app's."""

from __future__ import annotations

from participation import create_app
from participation.core import signals
from participation.extensions import db as database


def _receivers(app, signal) -> int:
    return len(list(signal.receivers_for(app)))


def test_every_app_has_its_own_receivers_once(app):
    other = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"]})
    for signal in (
        signals.thanks_parts,
        signals.placement_of_code,
        signals.follow_up_of_code,
        signals.kiosk_placement,
        signals.themes_changed,
        signals.moderation_sources,
    ):
        assert _receivers(app, signal) == _receivers(other, signal) >= 1
    assert _receivers(app, signals.thanks_parts) == 2  # the follow-up offer and the latest actions
    assert _receivers(app, signals.moderation_sources) == 1  # the forum's proposals


def test_the_moderation_queue_hears_the_forum_without_importing_it(app):
    with app.test_request_context():
        from participation.moderation.queue import source_named, sources

        assert [source.key for source in sources()] == ["forum"]
        assert source_named("forum") is not None and source_named("nosuch") is None


def test_a_signal_sent_in_one_app_is_answered_by_its_receivers_only(app, db):
    other = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"]})
    heard: list[str] = []

    def _listener(_sender, *, note: str) -> None:
        heard.append(note)

    signals.themes_changed.connect(_listener, sender=other, weak=False)
    try:
        with app.test_request_context():
            assert signals.answers(signals.placement_of_code, code="NOSUCH", survey_id=1) == []
        with other.app_context():
            signals.send(signals.themes_changed, note="in the other app")
        assert heard == ["in the other app"]
    finally:
        signals.themes_changed.disconnect(_listener, sender=other)
        with other.app_context():  # the other app's pool holds a connection: close it, not the GC
            database.engine.dispose()
