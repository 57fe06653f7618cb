"""Flask extensions, created unbound here and bound to an app in `create_app`."""

from typing import TYPE_CHECKING

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

#: How constraints and indexes without an explicit name are named: PostgreSQL's own default
#: names, so every database created before this convention already matches it and a
#: migration can drop or alter a constraint by a name known in advance on either backend
#: (docs/decisions.md, "Database"). Migrations copy it rather than import it.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    """Declarative base shared by every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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
