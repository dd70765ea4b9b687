"""What every API schema shares: strict request bodies, timestamps as sent, the error body."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
)

#: A timestamp written as ``datetime.isoformat()`` (``2025-01-31T09:00:00+00:00``), the form
#: the API has always sent: pydantic's own writes ``Z`` for UTC, which tools may not expect.
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

#: The largest id or version a request may name: the database's ids are 32-bit integers,
#: so anything above is no row, and PostgreSQL would refuse to compare with it.
MAX_ID = 2**31 - 1

#: An id or version sent by a tool: a JSON integer from 0 to ``MAX_ID``, never a string or
#: a boolean.
Count = Annotated[int, Field(ge=0, le=MAX_ID)]


class RequestBody(BaseModel):
    """A JSON request body: exact JSON types (``"1"`` is not a number, ``true`` is not 1,
    ``NaN`` is no number at all).

    Unknown fields are ignored, as they always were, so a tool that sends more still works.
    """

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False)


class Public(BaseModel):
    """A response body, built by the API from rows and results.

    A field whose JSON name is a Python keyword (``from``) has an alias; write bodies with
    ``model_dump(mode="json", by_alias=True)``, as the API does.
    """

    model_config = ConfigDict(populate_by_name=True)


class ErrorDetail(Public):
    status: int
    message: str
    problems: list[str] = Field(default_factory=list, description="sent when there are some")

    # No return annotation: pydantic would take it for the schema of the whole body.
    @model_serializer(mode="wrap")
    def _problems_only_when_some(self, write: SerializerFunctionWrapHandler):  # noqa: ANN202
        written = write(self)
        if not written.get("problems"):
            written.pop("problems", None)
        return written


class ErrorPublic(Public):
    """Every 4xx and 5xx answer of the API; ``problems`` lists each thing wrong with an input."""

    error: ErrorDetail
