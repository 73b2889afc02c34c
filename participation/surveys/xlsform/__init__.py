"""XLSForm export and import, so a survey moves to and from KoboToolbox and ODK.

The workbook has the usual `survey`, `choices` and `settings` sheets. Two extra columns, which
KoboToolbox and pyxform ignore, carry what XLSForm cannot say: `themes` (theme slugs, on the survey
and choices sheets) and `max_choices` (the limit a ranking question was given in Delaktig). A ranking's
top N itself is written as ODK asks for one, N select_one questions in a group (see `ranking`).

Writing is `writer`. Reading is `workbook` (the file and its sheets as text), then `reading` (messages,
languages, choice lists), `questions` (the survey sheet's rows), `ranking` (a group of places read as one
ranking) and `reader` (the settings and the whole form), which only read the database. `saving` turns a read form into a draft survey. `languages` holds how
a column names its language, which both directions share.
"""

from participation.surveys.xlsform.languages import language_code, language_header
from participation.surveys.xlsform.reader import slugify
from participation.surveys.xlsform.saving import ImportResult, import_xlsform
from participation.surveys.xlsform.writer import export_xlsform

__all__ = ["ImportResult", "export_xlsform", "import_xlsform", "language_code", "language_header", "slugify"]
