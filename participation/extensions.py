"""The Flask extensions, created once and bound in ``create_app()``."""

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from participation.core.models import Base
from participation.core.i18n import register_lazy_string_adapters

# A label declared with lazy_gettext that reaches a query parameter is stored as
# the text it reads in the current language.
register_lazy_string_adapters()

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def auth_limit() -> str:
    """The rate limit on forms a stranger can post to check passwords or send mail (RATELIMIT_AUTH)."""
    return current_app.config["RATELIMIT_AUTH"]
