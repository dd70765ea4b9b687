"""The WSGI entry point for production servers: ``gunicorn wsgi:app``."""

from guidelines_app import create_app

app = create_app()
