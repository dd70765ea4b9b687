"""Which HTTP status answers which error of the app: the one table pages, the API and jobs read.

Errors are nouns without a status (``domain/errors.py``); git errors are the same nouns
(``store/types.py``). A class answers with the status of the first class of its MRO that
the table names, so a subclass inherits its noun's status unless the table says otherwise.
"""

from __future__ import annotations

from guidelines_app.domain.errors import (
    AppError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    Unavailable,
)
from guidelines_app.services.accounts import LastAdmin, RateLimited
from guidelines_app.store import StoreError

#: Error class -> HTTP status. Anything that is not an AppError is a bug: 500.
STATUS: dict[type[AppError], int] = {
    AppError: 400,
    InvalidInput: 422,
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    LastAdmin: 409,  # the admin pages answer it with the users page and its message
    TooLarge: 413,
    RateLimited: 429,
    Unavailable: 503,
    StoreError: 409,  # git refused (a ref that would not move): retrying may work
}


def status_of(error: BaseException) -> int:
    """The status that answers ``error``: its nearest class in :data:`STATUS`, else 500."""
    for cls in type(error).__mro__:
        status = STATUS.get(cls)
        if status is not None:
            return status
    return 500
