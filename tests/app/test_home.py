from __future__ import annotations


def test_home_page_shows_what_the_installation_holds(as_viewer):
    html = as_viewer.get("/").get_data(as_text=True)
    assert "guidelines" in html and "taxonomies" in html
    assert "Where to go next" in html


def test_home_page_offers_admin_links_only_to_admins(as_viewer, as_admin):
    assert "/admin/users" not in as_viewer.get("/").get_data(as_text=True)
    assert "/admin/users" in as_admin.get("/").get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(as_viewer):
    response = as_viewer.get("/no/such/page")
    assert response.status_code == 404
    assert b"Home" in response.data
