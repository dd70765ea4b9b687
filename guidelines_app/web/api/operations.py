"""Each API view declares its operation: the schema of its request, its answers, parameters.

``@operation(...)`` sits under ``@bp.get`` / ``@bp.post`` and ``@security.requires``. It
validates the request with the declared schema before the view runs (invalid input is
``InvalidInput``: 422 with every problem, the error body every API error has) and writes
the pydantic model a view returns as its JSON answer. The OpenAPI document is built from
these declarations and the URL map (``openapi.py``), so what the API checks, what it
answers and what the document says come from one definition.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ValidationError

from guidelines_app.domain.errors import InvalidInput, NotFound, Problem
from guidelines_app.models.schemas import MAX_ID

OPERATION_ATTRIBUTE = "_guidelines_api_operation"
JSON = "application/json"
MAX_PATH = 120
#: A view as written (it returns a model, or a model and a status) and as Flask routes it.
View = Callable[..., Any]
Route = Callable[..., ResponseReturnValue]


@dataclass(frozen=True)
class Param:
    """A query or path parameter; path ids are strings to Flask (``abc`` answers 404)."""

    name: str
    where: Literal["query", "path"] = "query"
    type: Literal["string", "integer"] = "string"
    description: str = ""
    required: bool = False
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """One status an operation answers with; no schema: the error body (4xx) or any JSON;
    no media types: no body at all (204)."""

    description: str
    schema: type[BaseModel] | None = None
    media_types: tuple[str, ...] = (JSON,)


@dataclass(frozen=True)
class Operation:
    """What one view takes and answers: read by the decorator and by the document."""

    summary: str
    answers: Mapping[int, Answer]
    body: type[BaseModel] | None = None
    form: type[BaseModel] | None = None
    files: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()


#: The page of a paged list.
PAGE = Param("page", type="integer", description="1 by default")


def path_id(raw: str, noun: str) -> int:
    """A numeric id from the path, 0 to ``MAX_ID``: anything else is no such object (404),
    not a bad request (and never reaches the database, which refuses larger integers)."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)) or int(raw) > MAX_ID:
        raise NotFound(f"no {noun} {raw!r}")
    return int(raw)


def _answer(given: Answer | type[BaseModel] | str) -> Answer:
    if isinstance(given, Answer):
        return given
    if isinstance(given, str):
        return Answer(given)
    own = given.__dict__.get("__doc__") or ""
    return Answer(own.strip().splitlines()[0] if own.strip() else given.__name__, given)


def operation(
    summary: str,
    answers: Mapping[int, Answer | type[BaseModel] | str],
    *,
    body: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    files: tuple[str, ...] = (),
    params: tuple[Param, ...] = (),
) -> Callable[[View], Route]:
    """Declare a view's operation; the view gets ``body=`` / ``form=`` already validated.

    ``answers`` maps a status to the model of its body, or to the description of an error.
    The 401, 403 and 422 answers that follow from the route's role and schema are added to
    the document by ``openapi.py``.
    """
    declared = Operation(
        summary=summary,
        answers={status: _answer(given) for status, given in answers.items()},
        body=body,
        form=form,
        files=files,
        params=params,
    )

    def wrap(view: View) -> Route:
        @functools.wraps(view)
        def validated(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if declared.body is not None:
                kwargs["body"] = json_body(declared.body)
            if declared.form is not None:
                kwargs["form"] = form_fields(declared.form, declared.files)
            return respond(view(*args, **kwargs))

        setattr(validated, OPERATION_ATTRIBUTE, declared)
        return validated

    return wrap


def operation_of(view: Callable[..., Any] | None) -> Operation | None:
    return getattr(view, OPERATION_ATTRIBUTE, None)


def json_body(schema: type[BaseModel]) -> Any:
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # the JSON parser gives up on deep nesting with no ValueError
        raise InvalidInput(problems=[Problem("the JSON is nested too deeply")]) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            problems=[Problem("send a JSON object (Content-Type: application/json)")]
        )
    return validate(schema, data)


def form_fields(schema: type[BaseModel], files: tuple[str, ...]) -> Any:
    """Multipart fields through the schema, stripped; an empty one is absent, as on the page."""
    problems = [
        Problem(f"a multipart field {name!r} is required", path=name)
        for name in files
        if not (request.files.get(name) and request.files[name].filename)
    ]
    data = {key: value.strip() for key, value in request.form.items() if value.strip()}
    try:
        found = validate(schema, data)
    except InvalidInput as error:
        problems += error.problems
    if problems:
        raise InvalidInput(problems=problems)
    return found


def validate(schema: type[BaseModel], data: Any) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(problems=[_problem(e) for e in error.errors()]) from None


def _problem(error: Any) -> Problem:
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if len(path) > MAX_PATH:  # a value nested hundreds deep: say where it starts
        path = path[:MAX_PATH] + "..."
    message = "this field is required" if error["type"] == "missing" else error["msg"]
    return Problem(message[0].lower() + message[1:], path=path)


def no_content() -> ResponseReturnValue:
    """204: no body, so no Content-Type either (Flask would call the empty body HTML)."""
    response = current_app.response_class(status=204)
    response.headers.remove("Content-Type")
    return response


def respond(result: Any) -> ResponseReturnValue:
    """A model (or ``(model, status[, headers])``) as JSON by its field names; else as is."""
    if isinstance(result, tuple) and result and isinstance(result[0], BaseModel):
        return (jsonify(result[0].model_dump(mode="json", by_alias=True)), *result[1:])
    if isinstance(result, BaseModel):
        return jsonify(result.model_dump(mode="json", by_alias=True))
    return result
