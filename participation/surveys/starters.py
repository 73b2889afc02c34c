"""Survey templates to start from, including ones on the themes of the national youth survey LUPP.

LUPP (Lokal uppföljning av ungdomspolitiken, run by the Swedish Agency for Youth and Civil Society, MUCF)
asks young people 13–25 about influence, leisure, work and safety. These templates put short, plain
questions on those themes, tagged with the matching needs-map themes, so local answers can be set beside
the national figures. They start in Swedish and English; the translation editor adds the other languages.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from participation.surveys.starter_backby import BACKBY
from participation.surveys.starter_scales import SCALE_ENDS

PROFILE = ["age_band", "gender", "lives_in_area"]


def _q(
    key: str,
    kind: str,
    sv: str,
    en: str,
    *,
    themes: list[str] | None = None,
    required: bool = True,
    options: list[tuple[str, str, str, list[str]]] | None = None,
    ends: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "key": key,
        "kind": kind,
        "required": required,
        "prompt": {"sv": sv, "en": en},
        "themes": themes or [],
        **extra,
    }
    if ends:
        spec["scale_low"], spec["scale_high"] = (dict(texts) for texts in SCALE_ENDS[ends])
    if options:
        spec["options"] = [{"key": k, "label": {"sv": s, "en": e}, "themes": t} for k, s, e, t in options]
    return spec


def _survey(sv: str, en: str, questions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "base_language": "sv",
        "profile_fields": PROFILE,
        "title": {"sv": sv, "en": en},
        "intro": {
            "sv": "Några korta frågor. Du är anonym: vi frågar aldrig efter ditt namn.",
            "en": "A few short questions. You are anonymous: we never ask for your name.",
        },
        "thanks": {"sv": "Tack för att du svarade!", "en": "Thank you for answering!"},
        "questions": questions,
    }


LUPP_INFLUENCE = _survey(
    "Inflytande i Bäckby",
    "Influence in Bäckby",
    [
        _q(
            "want_influence",
            "scale",
            "Hur gärna vill du vara med och påverka det som händer där du bor?",
            "How much do you want to have a say in what happens where you live?",
            ends="want",
            themes=["influence"],
        ),
        _q(
            "has_influence",
            "scale",
            "Hur stora möjligheter har du att föra fram dina åsikter till dem som bestämmer?",
            "How good are your chances of bringing your views to those who decide?",
            ends="chances",
            themes=["influence"],
        ),
        _q(
            "how",
            "multiple_choice",
            "Hur skulle du helst vilja påverka?",
            "How would you most like to have a say?",
            required=False,
            max_choices=3,
            options=[
                ("forum", "I ett ungdomsforum", "In a youth forum", ["influence"]),
                (
                    "online",
                    "Genom att svara på enkäter som den här",
                    "By answering surveys like this one",
                    ["influence"],
                ),
                (
                    "meet",
                    "Träffa politiker eller tjänstepersoner",
                    "Meeting politicians or officials",
                    ["influence"],
                ),
                ("school", "Genom elevrådet", "Through the student council", ["influence", "school"]),
            ],
        ),
        _q(
            "change",
            "free_text",
            "Vad skulle du vilja ändra på i Bäckby?",
            "What would you like to change in Bäckby?",
            required=False,
            themes=["influence"],
        ),
    ],
)

LUPP_LEISURE = _survey(
    "Fritid",
    "Leisure",
    [
        _q(
            "activities",
            "multiple_choice",
            "Vad gör du på fritiden?",
            "What do you do in your free time?",
            max_choices=3,
            options=[
                ("sport", "Idrott eller träning", "Sport or exercise", ["leisure", "health"]),
                ("centre", "Är på fritidsgården", "Go to the youth centre", ["leisure"]),
                ("friends", "Träffar kompisar ute", "Meet friends outside", ["leisure"]),
                ("culture", "Musik, dans eller konst", "Music, dance or art", ["leisure"]),
                ("nothing", "Inget särskilt", "Nothing in particular", ["leisure"]),
            ],
        ),
        _q(
            "enough",
            "scale",
            "Hur nöjd är du med det som finns att göra på fritiden i Bäckby?",
            "How happy are you with what there is to do in your free time in Bäckby?",
            ends="happy",
            themes=["leisure"],
        ),
        _q(
            "missing",
            "free_text",
            "Vad saknar du på fritiden?",
            "What do you miss in your free time?",
            required=False,
            themes=["leisure"],
        ),
    ],
)

LUPP_WORK = _survey(
    "Jobb och framtid",
    "Work and the future",
    [
        _q(
            "summer_job",
            "yes_no",
            "Har du haft ett sommarjobb eller extrajobb det senaste året?",
            "Have you had a summer job or part-time job in the past year?",
            themes=["jobs"],
        ),
        _q(
            "find_work",
            "scale",
            "Hur lätt tror du att det är för dig att få ett jobb när du är klar med skolan?",
            "How easy do you think it will be for you to get a job when you finish school?",
            ends="easy",
            themes=["jobs"],
        ),
        _q(
            "help",
            "ranking",
            "Vilken hjälp skulle vara viktigast för dig? Välj upp till tre.",
            "Which help would matter most to you? Pick up to three.",
            required=False,
            max_choices=3,
            options=[
                ("cv", "Hjälp att skriva CV", "Help writing a CV", ["jobs"]),
                ("contacts", "Kontakter med arbetsgivare", "Contacts with employers", ["jobs"]),
                ("homework", "Läxhjälp", "Homework help", ["school"]),
                ("guidance", "Studie- och yrkesvägledning", "Study and career guidance", ["school", "jobs"]),
            ],
        ),
    ],
)

LUPP_SAFETY = _survey(
    "Trygghet",
    "Safety",
    [
        _q(
            "safe_evening",
            "scale",
            "Hur tryggt känns det att vara ute i området på kvällen?",
            "How safe does it feel to be out in the area in the evening?",
            ends="safe",
            themes=["safety"],
        ),
        _q(
            "safe_school",
            "scale",
            "Hur tryggt känns det i skolan?",
            "How safe does it feel at school?",
            ends="safe",
            themes=["safety", "school"],
        ),
        _q(
            "where_unsafe",
            "multiple_choice",
            "Var känns det otryggt?",
            "Where does it feel unsafe?",
            required=False,
            options=[
                ("tunnel", "Gångtunnlar", "Underpasses", ["safety"]),
                ("centre", "Centrum", "The shopping centre", ["safety"]),
                ("stairwell", "Trappuppgångar", "Stairwells", ["safety"]),
                ("bus", "Busshållplatser", "Bus stops", ["safety"]),
            ],
        ),
    ],
)

BLANK: dict[str, Any] = {
    "base_language": "sv",
    "profile_fields": PROFILE,
    "title": {"sv": "", "en": ""},
    "questions": [],
}

# key → (name shown to staff, spec)
STARTERS: dict[str, tuple[Any, dict[str, Any]]] = {
    "blank": (_l("Empty survey"), BLANK),
    "backby": (_l("Bäckby – your voice (every question kind)"), BACKBY),
    "lupp_influence": (_l("LUPP theme: influence"), LUPP_INFLUENCE),
    "lupp_leisure": (_l("LUPP theme: leisure"), LUPP_LEISURE),
    "lupp_work": (_l("LUPP theme: work"), LUPP_WORK),
    "lupp_safety": (_l("LUPP theme: safety"), LUPP_SAFETY),
}
