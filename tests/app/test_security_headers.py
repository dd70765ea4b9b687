from __future__ import annotations

import re

import pytest


def test_pages_carry_a_content_security_policy_that_allows_only_own_scripts(as_admin):
    response = as_admin.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("path", ["/", "/account", "/admin/users", "/admin/audit", "/logout"])
def test_pages_have_no_inline_script_style_or_event_handlers(as_admin, path):
    html = as_admin.get(path).get_data(as_text=True)
    for script in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in script, script
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "hx-on" not in html


def test_login_page_loads_htmx_from_the_app_itself(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<script src="/static/vendor/htmx.min.js"' in html
    assert "unpkg" not in html and "cdn" not in html.lower()
