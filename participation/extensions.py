"""Extensions, created unbound and bound to the app in create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from participation.database import Database
from participation.privacy import client_key

db = Database()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# Limits are counted per HMAC of the client address, so no address is kept even in the counters.
limiter = Limiter(client_key, default_limits=[], headers_enabled=False)
