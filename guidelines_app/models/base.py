"""The metadata every table shares: deterministic constraint names on every dialect.

Each table module takes ``SQLModel`` from here, so the naming convention is set before
any table is declared, whichever module is imported first.
"""

from sqlmodel import SQLModel

# Deterministic constraint names on every dialect, so later migrations can name what they alter.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

__all__ = ["SQLModel"]
