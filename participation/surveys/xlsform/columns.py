"""Which columns and settings an import carries over, and why the others are not.

Every cell with content on an imported row is either read or named in the result, with its row.
"""

from __future__ import annotations

from participation.surveys.xlsform.problems import LazyString, _l

# Read by the questions; label::… columns are read per language.
SURVEY_COLUMNS = {"type", "name", "label", "required", "relevant", "constraint", "themes", "max_choices"}
CHOICE_COLUMNS = {"list_name", "name", "label", "themes"}
# The version only names the file's edition (Delaktig's export stamps a new one); it says nothing of the survey.
SETTINGS_READ = {"form_title", "form_id", "default_language", "allow_choice_duplicates", "version"}

_NO_MEDIA = _l("Delaktig shows no pictures, sound or video")
_NO_HINT = _l("Delaktig questions have no hints")
# Columns of the survey sheet that Delaktig understands but has no place for.
_SURVEY_REASONS = {
    "hint": _NO_HINT,
    "guidance_hint": _NO_HINT,
    "constraint_message": _l("Delaktig shows its own message when an answer is not allowed"),
    "required_message": _l("Delaktig shows its own message when a required question has no answer"),
    "appearance": _l("Delaktig shows every question in its own way, the same on every phone"),
    "image": _NO_MEDIA,
    "big-image": _NO_MEDIA,
    "audio": _NO_MEDIA,
    "video": _NO_MEDIA,
    "media": _NO_MEDIA,
    "default": _l("Delaktig questions start unanswered"),
    "choice_filter": _l("Delaktig always shows every option"),
    "read_only": _l("every Delaktig question can be answered"),
    "parameters": _l("Delaktig questions have no extra settings"),
}
_UNKNOWN = _l("Delaktig does not know what it means")
_SETTING_REASONS = {
    "submission_url": _l("answers to a Delaktig survey are sent to Delaktig"),
    "public_key": _l("answers to a Delaktig survey are sent to Delaktig"),
    "instance_name": _l("Delaktig answers are anonymous and have no names"),
    "style": _l("Delaktig surveys have Delaktig's own look"),
}


def dropped_cells(row: dict[str, str], used: set[str]) -> list[LazyString]:
    """One message per cell with content in a column the import does not read."""
    messages = []
    for header, value in row.items():
        base = header.partition("::")[0]
        if value and base not in used:
            why = _SURVEY_REASONS.get(base, _UNKNOWN)
            messages.append(_l("the column '%(column)s' was not imported: %(why)s.", column=header, why=why))
    return messages


def dropped_settings(settings: dict[str, str], read: set[str]) -> list[LazyString]:
    """One message per setting with content that is not read."""
    messages = []
    for header, value in settings.items():
        base = header.partition("::")[0]
        if value and header not in read:
            why = _SETTING_REASONS.get(base, _UNKNOWN)
            messages.append(
                _l("the setting '%(setting)s' was not imported: %(why)s.", setting=header, why=why)
            )
    return messages


def unsupported_choice_columns(row: dict[str, str]) -> list[str]:
    """The columns of a choice row with content the import does not read (pictures, filter columns)."""
    return [
        header for header, value in row.items() if value and header.partition("::")[0] not in CHOICE_COLUMNS
    ]
