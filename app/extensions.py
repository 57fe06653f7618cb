"""Flask extensions, created unbound here and bound to an app in `create_app`."""

from typing import TYPE_CHECKING

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


# Objects keep their loaded values after commit, so rendering a saved task needs no second
# round trip (which could fail after a successful commit and misreport it).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskSQLAlchemyModel

    class Model(_FlaskSQLAlchemyModel, Base):
        """What `db.Model` is at run time: `Base` plus Flask-SQLAlchemy's model mixins.

        Type checkers cannot use an attribute of an object (`db.Model`) as a base class, so
        models subclass this name, which is `db.Model` itself when the code runs.
        """

        __abstract__ = True
else:
    Model = db.Model
