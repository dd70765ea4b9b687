"""Release references are read by one parser: releases, the draft and commits."""

from __future__ import annotations

import pytest

from guidelines_app.domain import refs
from guidelines_app.domain.errors import NotFound


@pytest.mark.parametrize("text", ["v3", "V3", " v3 "])
def test_a_v_and_a_number_is_a_release(text):
    spec = refs.parse_ref(text)
    assert spec == refs.release(3) and spec.is_release and str(spec) == "v3"


@pytest.mark.parametrize("text", [None, "", "draft", "Draft", "head", "main", "unreleased", "v0"])
def test_the_draft_has_several_names_and_one_spelling(text):
    spec = refs.parse_ref(text)
    assert spec.is_draft and str(spec) == "draft"


@pytest.mark.parametrize("text", ["1234", "deadbeef", "a" * 40, "main..HEAD", "--all", "vx"])
def test_anything_else_is_a_commit_for_the_store_to_resolve(text):
    spec = refs.parse_ref(text)
    assert spec.kind == refs.COMMIT and str(spec) == text


def test_a_bare_number_is_a_release_only_where_no_commit_can_be_meant():
    assert refs.parse_ref("3").kind == refs.COMMIT
    assert refs.parse_ref("3", bare_number=True) == refs.release(3)
    assert refs.parse_release("3") == refs.release(3)
    assert refs.release_number("3") == refs.release_number("v3") == 3


@pytest.mark.parametrize("text", ["", "  ", "draft", "v0", "banana", "v1234567", "-1", "1.5"])
def test_release_numbers_are_releases_only(text):
    assert refs.release_number(text) is None


def test_a_release_field_takes_the_draft_unless_told_not_to():
    assert refs.parse_release("unreleased") == refs.THE_DRAFT
    assert refs.parse_release("unreleased", draft=False) is None
    assert refs.parse_release("") is None and refs.parse_release("deadbeef") is None


def test_a_release_parameter_that_names_no_release_is_not_found():
    assert str(refs.release_ref("2")) == "v2" and str(refs.release_ref("vdraft")) == "draft"
    with pytest.raises(NotFound, match="banana"):
        refs.release_ref("banana")


def test_each_canonical_spelling_reads_back_to_the_same_reference():
    for spec in (refs.release(7), refs.THE_DRAFT, refs.parse_ref("0123abcd")):
        assert refs.parse_ref(str(spec)) == spec


def test_only_full_commit_ids_are_immutable_names():
    assert refs.is_full_commit_id("0" * 40)
    assert not refs.is_full_commit_id("0" * 39) and not refs.is_full_commit_id("v3")
