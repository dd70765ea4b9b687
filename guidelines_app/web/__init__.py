"""The Flask half: views for people, the JSON API for tools, sign-in and role guards, templates."""
