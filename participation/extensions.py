"""Extensions, created unbound and bound to the app in create_app."""

from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from participation.database import Database

db = Database()
csrf = CSRFProtect()
babel = Babel()
