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
}


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
