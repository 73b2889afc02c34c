"""The standard profile questions (age band, gender, lives in the area) as XLSForm select_one questions.

Delaktig writes each as `select_one <field>` named after the field, with the app's answer names; a row of
that name whose list has exactly those names, in that order, comes back as the profile field.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from participation.i18n.languages import to_babel
from participation.surveys.models import PROFILE_CHOICES, ProfileField
from participation.surveys.xlsform.problems import _l
from participation.surveys.xlsform.questions import QuestionRows, split_type
from participation.surveys.xlsform.reading import Choice


def _profile_words() -> dict[str, tuple[str, dict[str, str]]]:
    """Each field's question and answers in the current language (the participant page's own words)."""
    return {
        "age_band": (
            _("How old are you?"),
            {
                "under_13": _("Under 13"),
                "13_15": _("13–15"),
                "16_19": _("16–19"),
                "20_25": _("20–25"),
                "over_25": _("Over 25"),
            },
        ),
        "gender": (
            _("Are you…"),
            {
                "girl": _("A girl"),
                "boy": _("A boy"),
                "other": _("Other"),
                "rather_not_say": _("I'd rather not say"),
            },
        ),
        "lives_in_area": (
            _("Do you live in the area?"),
            {"yes": _("Yes"), "nearby": _("Nearby"), "no": _("No")},
        ),
    }


def profile_texts(
    field: str, languages: list[str]
) -> tuple[dict[str, str], list[tuple[str, dict[str, str]]]]:
    """A profile field's question and its answers (name, texts) in every language."""
    prompt: dict[str, str] = {}
    answers: dict[str, dict[str, str]] = {name: {} for name in PROFILE_CHOICES[ProfileField(field)]}
    for code in languages:
        with force_locale(to_babel(code)):
            question, words = _profile_words()[field]
        prompt[code] = question
        for name in answers:
            answers[name][code] = words[name]
    return prompt, list(answers.items())


class ProfileRows(QuestionRows):
    """Rows that are Delaktig's profile questions."""

    profile_fields: list[str]

    def _read_profile(self, number: int, row: dict[str, str]) -> bool:
        """Whether the row is a profile question; it is read as the survey's profile field if so."""
        name = row.get("name", "")
        select, list_name, _other = split_type(" ".join(row.get("type", "").split()))
        if (
            name not in {field.value for field in ProfileField}
            or select != "select_one"
            or name in self.profile_fields
        ):
            return False
        choices = self.lists.get(list_name, [])
        if [choice.key for choice in choices] != list(PROFILE_CHOICES[ProfileField(name)]):
            return False
        self.profile_fields.append(name)
        self._report_own_profile_words(number, name, self._texts(row, self.columns), choices)
        if self._is_true(row.get("required", "")):
            self._problem(
                "survey",
                number,
                _l(
                    "'%(name)s' is imported as the standard question about you, which participants may skip.",
                    name=name,
                ),
            )
        return True

    def _report_own_profile_words(
        self, number: int, name: str, prompt: dict[str, str], choices: list[Choice]
    ) -> None:
        """The standard question is asked in Delaktig's own words: say so when the file's words differ."""
        languages = sorted(set(prompt) | {code for choice in choices for code in choice.labels})
        question, answers = profile_texts(name, languages)
        words = dict(answers)
        differs = any(prompt.get(code, question[code]).strip() != question[code] for code in prompt) or any(
            label.strip() != words[choice.key].get(code, label).strip()
            for choice in choices
            for code, label in choice.labels.items()
        )
        if differs:
            self._problem(
                "survey",
                number,
                _l(
                    "'%(name)s' is imported as the standard question about you, asked in Delaktig's own"
                    " words; the file's own question and answer texts were not carried over.",
                    name=name,
                ),
            )
