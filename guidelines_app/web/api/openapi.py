"""The OpenAPI 3.1 document of /api/v1; a test checks it lists every API route."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "problems": {"type": "array", "items": {"type": "string"}},
            },
        }
    },
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document"}},
        }
    },
    "/api/v1/me": {
        "get": {
            "summary": "The user the bearer token belongs to",
            "responses": {
                "200": {
                    "description": "The user",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Me"}}
                    },
                },
                "401": _error("No valid bearer token"),
            },
        }
    },
    "/api/v1/taxonomies": {
        "get": {
            "summary": "Taxonomies: kind, label count, release in force, governing guidelines",
            "responses": {"200": {"description": "The taxonomies"}, "401": _error("No token")},
        }
    },
    "/api/v1/taxonomies/{slug}": {
        "get": {
            "summary": "A taxonomy's label tree at a revision (?rev=, ?release=; default draft)",
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "rev", "in": "query", "schema": {"type": "string"}},
                {"name": "release", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {"description": "name, description, kind, labels (nested), problems"},
                "404": _error("No such taxonomy or revision"),
            },
        }
    },
    "/api/v1/taxonomies/{slug}/diff": {
        "get": {
            "summary": "Semantic diff between two revisions (?from=, ?to=: vN, draft or commit)",
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "from", "in": "query", "schema": {"type": "string"}},
                {"name": "to", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "added, removed, renamed, moved, redefined, deprecated, "
                    "reinstated, merged, split, restyled, meta"
                },
                "404": _error("No such taxonomy or revision"),
                "422": _error("A revision cannot be read"),
            },
        }
    },
    "/api/v1/taxonomies/{slug}/migration": {
        "get": {
            "summary": "Migration map: each old label id to its new id(s); splits need relabel",
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "from", "in": "query", "schema": {"type": "string"}},
                {"name": "to", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {"description": "map, needs_relabel, unmapped, annotation_counts"},
                "404": _error("No such taxonomy or revision"),
            },
        }
    },
    "/api/v1/taxonomies/{slug}/export": {
        "get": {
            "summary": "Export for a labeling tool",
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                {
                    "name": "to",
                    "in": "query",
                    "required": True,
                    "schema": {
                        "type": "string",
                        "enum": ["labelstudio", "labelbox", "cvat", "prodigy", "skos", "csv"],
                    },
                },
                {"name": "rev", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {"description": "The file, with its media type and file name"},
                "404": _error("No such taxonomy or revision"),
                "422": _error("Unknown format, or the taxonomy cannot be exported"),
            },
        }
    },
    "/api/v1/annotation-batches": {
        "get": {
            "summary": "Imported annotation batches, newest first",
            "responses": {
                "200": {"description": 'The batches ({"batches": [...]})'},
                "401": _error("No valid bearer token"),
            },
        },
        "post": {
            "summary": "Import an annotation file as one batch (lead); all of it or nothing",
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file", "dataset"],
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "dataset": {"type": "string"},
                                "format": {"type": "string", "default": "auto"},
                                "guideline": {"type": "string"},
                                "release": {"type": "string", "examples": ["v2"]},
                                "taxonomy": {"type": "string"},
                                "map_labels": {"type": "boolean"},
                                "annotator": {"type": "string", "description": "doccano files"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "The batch",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "401": _error("No valid bearer token"),
                "403": _error("Not a lead"),
                "409": _error("The same file was already imported into this dataset"),
                "413": _error("The file or its decompressed content is too large"),
                "422": _error("The file cannot be read, or labels are not in the taxonomy"),
            },
        },
    },
    "/api/v1/annotation-batches/{batch_id}": {
        "get": {
            "summary": "A batch with its agreement figures (annotator figures for leads only)",
            "parameters": [
                {"name": "batch_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "dimension", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {"description": "The batch and its figures (docs/agreement.md)"},
                "401": _error("No valid bearer token"),
                "404": _error("No such batch"),
                "422": _error("No such dimension in the batch"),
            },
        }
    },
}


# --- items, escalations and decisions (guidelines_app/api/cases.py) --------------------------

_OBJECT = {"type": "object"}


def _op(
    summary: str,
    ok: str,
    *,
    status: str = "200",
    params: tuple[tuple[str, str, str], ...] = (),
    body: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One operation; params are (name, in, type)."""
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {
            status: {"description": ok, "content": {"application/json": {"schema": _OBJECT}}},
            "401": _error("No valid bearer token"),
            **{code: _error(text) for code, text in (errors or {}).items()},
        },
    }
    if params:
        operation["parameters"] = [
            {"name": n, "in": where, "required": where == "path", "schema": {"type": t}}
            for n, where, t in params
        ]
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", **body}}},
        }
    return operation


_STR = {"type": "string"}
_STRS = {"type": "array", "items": _STR}
_INT = {"type": "integer"}
_ITEM_CONTENT = {
    "text": _STR,
    "payload": {"description": "any JSON value (at most 1 MB with text and meta)"},
    "media_url": _STR,
    "meta": _OBJECT,
}
_DECISION_BODY = {
    "required": ["title", "ruling", "guideline"],
    "properties": {
        "title": _STR,
        "ruling": _STR,
        "rationale": {"type": "string", "description": "Markdown"},
        "guideline": _STR,
        "section_id": _STR,
        "ruling_labels": _STRS,
        "labels": _STRS,
        "tags": _STRS,
        "item_ids": {"type": "array", "items": _INT},
    },
}
_SEARCH_PARAMS = (
    ("q", "query", "string"),
    ("guideline", "query", "string"),
    ("section", "query", "string"),
    ("label", "query", "string"),
    ("status", "query", "string"),
    ("dataset", "query", "string"),
    ("page", "query", "integer"),
)
_BAD = "Bad input (unknown dataset, guideline, section or label named in problems)"

PATHS.update(
    {
        "/api/v1/datasets": {
            "get": _op("Datasets with their item counts", "The datasets"),
            "post": _op(
                "Create a dataset (lead)",
                "The dataset",
                status="201",
                body={
                    "required": ["slug", "name"],
                    "properties": {"slug": _STR, "name": _STR, "url_template": _STR},
                },
                errors={"403": "Not a lead", "409": "The slug is taken", "422": _BAD},
            ),
        },
        "/api/v1/items": {
            "get": _op(
                "One item with the ids of its escalations and decisions",
                "The item",
                params=(("dataset", "query", "string"), ("external_id", "query", "string")),
                errors={"404": "No such dataset or item"},
            ),
            "post": _op(
                "Create an item (200 with the existing snapshot if it exists)",
                "The item",
                status="201",
                body={
                    "required": ["dataset", "external_id"],
                    "properties": {"dataset": _STR, "external_id": _STR, **_ITEM_CONTENT},
                },
                errors={"403": "Not an annotator", "413": "Content over 1 MB", "422": _BAD},
            ),
        },
        "/api/v1/escalations": {
            "get": _op(
                "The queue: ?status=active|open,in_review|all, guideline, section, label, "
                "dataset, mine=1, sort=oldest|newest|hits, page",
                "escalations, page, has_next",
                params=(
                    ("status", "query", "string"),
                    ("guideline", "query", "string"),
                    ("section", "query", "string"),
                    ("label", "query", "string"),
                    ("dataset", "query", "string"),
                    ("mine", "query", "string"),
                    ("sort", "query", "string"),
                    ("page", "query", "integer"),
                ),
                errors={"422": "Unknown status or sort"},
            ),
            "post": _op(
                "Escalate an item (created if new); the release in force is recorded",
                "The escalation",
                status="201",
                body={
                    "required": ["dataset", "external_id", "guideline", "question"],
                    "properties": {
                        "dataset": _STR,
                        "external_id": _STR,
                        "guideline": _STR,
                        "section_id": _STR,
                        "question": {"type": "string", "maxLength": 20000},
                        "labels": _STRS,
                        **_ITEM_CONTENT,
                    },
                },
                errors={
                    "403": "Not an annotator",
                    "413": "Question or item too large",
                    "422": _BAD,
                },
            ),
        },
        "/api/v1/escalations/{escalation_id}": {
            "get": _op(
                "One escalation with its item and timeline",
                "The escalation",
                params=(("escalation_id", "path", "integer"),),
                errors={"404": "No such escalation"},
            )
        },
        "/api/v1/escalations/{escalation_id}/transition": {
            "post": _op(
                "Move an escalation (lead): open -> in_review -> resolved|dismissed|duplicate; "
                "reopen with a reason. `version` is the one you read.",
                "The escalation",
                params=(("escalation_id", "path", "integer"),),
                body={
                    "required": ["to", "version"],
                    "properties": {
                        "to": {
                            "type": "string",
                            "enum": ["open", "in_review", "resolved", "dismissed", "duplicate"],
                        },
                        "version": _INT,
                        "reason": _STR,
                        "assignee_id": _INT,
                        "decision_id": _INT,
                        "duplicate_of_id": _INT,
                    },
                },
                errors={
                    "403": "Not a lead",
                    "404": "No such escalation",
                    "409": "Not allowed from the current state, or a stale version "
                    "(current_status and current_version in the error)",
                    "422": "Missing reason, assignee, decision or duplicate target",
                },
            )
        },
        "/api/v1/escalations/{escalation_id}/comments": {
            "post": _op(
                "Comment on an escalation",
                "The comment",
                status="201",
                params=(("escalation_id", "path", "integer"),),
                body={"required": ["body"], "properties": {"body": _STR}},
                errors={"404": "No such escalation", "413": "Over 20,000 characters"},
            )
        },
        "/api/v1/decisions": {
            "get": _op(
                'Search the decision log (words, "phrases", prefix*) or list newest first',
                "decisions (with title_html and snippet_html when searching), page, has_next",
                params=_SEARCH_PARAMS,
            ),
            "post": _op(
                "Record a decision (lead)",
                "The decision",
                status="201",
                body=_DECISION_BODY,
                errors={"403": "Not a lead", "413": "Ruling or rationale too long", "422": _BAD},
            ),
        },
        "/api/v1/decisions/{decision_id}": {
            "get": _op(
                "One decision with its labels, items and amendments (commit, release)",
                "The decision",
                params=(("decision_id", "path", "integer"),),
                errors={"404": "No such decision"},
            )
        },
        "/api/v1/decisions/{decision_id}/supersede": {
            "post": _op(
                "Supersede a decision by another (lead)",
                "The decision",
                params=(("decision_id", "path", "integer"),),
                body={"required": ["by"], "properties": {"by": _INT, "version": _INT}},
                errors={"404": "No such decision", "409": "Not active, or stale", "422": _BAD},
            )
        },
        "/api/v1/decisions/{decision_id}/retire": {
            "post": _op(
                "Retire a decision with a reason (lead)",
                "The decision",
                params=(("decision_id", "path", "integer"),),
                body={"required": ["reason"], "properties": {"reason": _STR, "version": _INT}},
                errors={"404": "No such decision", "409": "Not active, or stale", "422": _BAD},
            )
        },
    }
)


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Guidelines API",
            "version": "1",
            "description": (
                "Guidelines, taxonomies, escalations, decisions and agreement for tools. "
                "Authenticate with `Authorization: Bearer <token>`; "
                "create tokens on your account page."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR,
                "Me": {
                    "type": "object",
                    "required": ["username", "role"],
                    "properties": {
                        "username": {"type": "string"},
                        "display_name": {"type": "string"},
                        "role": {
                            "type": "string",
                            "enum": ["viewer", "annotator", "lead", "admin"],
                        },
                    },
                },
            },
        },
    }
