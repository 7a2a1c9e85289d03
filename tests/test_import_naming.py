"""Spec names for imported apps: slugs of labels, unique, marker names kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from appspecs.onboard.naming import MAX_LENGTH, assign_names, is_name, slug, unique


@given(st.text(max_size=200))
def test_every_label_slugs_to_a_valid_name(label: str) -> None:
    assert is_name(slug(label))


@given(st.lists(st.text(max_size=60), max_size=30))
def test_names_are_unique_and_valid(labels: list[str]) -> None:
    names = assign_names((str(i), None, label) for i, label in enumerate(labels))
    assert len(set(names.values())) == len(labels)
    assert all(is_name(n) for n in names.values())


def test_slugs_read_like_the_label() -> None:
    assert slug("CRM Sync") == "crm-sync"
    assert slug("Audience Studio (local)") == "audience-studio-local"
    assert slug("Café Müller") == "cafe-muller"
    assert slug("42 Reports") == "app-42-reports"
    assert slug("!!!") == "app"
    assert slug("x" * 100) == "x" * MAX_LENGTH


def test_suffixes_stay_within_the_length_limit() -> None:
    base = "a" * MAX_LENGTH
    assert unique(base, {base}) == "a" * (MAX_LENGTH - 2) + "-2"
    assert unique("app", {"app", "app-2"}) == "app-3"


def test_marker_names_win_over_slugs() -> None:
    names = assign_names(
        [
            ("0oa1", None, "CRM"),  # listed first, but the marker's owner keeps "crm"
            ("0oa2", "crm", "Customer Relations"),
            ("0oa3", "Not A Name", "Billing"),  # an invalid marker name is not used
        ]
    )
    assert names == {"0oa1": "crm-2", "0oa2": "crm", "0oa3": "billing"}


def test_slugs_avoid_the_names_of_existing_specs() -> None:
    # A hand-made app labelled like a managed spec must never be given that spec's name.
    names = assign_names(
        [("0oa1", None, "crm-sync"), ("0oa2", None, "CRM Sync"), ("0oa3", None, "Billing")],
        taken={"crm-sync", "crm-sync-2", "billing-2"},
    )
    assert names == {"0oa1": "crm-sync-3", "0oa2": "crm-sync-4", "0oa3": "billing"}


def test_kept_names_stay_even_when_a_spec_has_them() -> None:
    # The marker's name (or an earlier import of the same app) is that app's own spec.
    names = assign_names([("0oa1", "crm", "CRM"), ("0oa2", None, "CRM")], taken={"crm"})
    assert names == {"0oa1": "crm", "0oa2": "crm-2"}


@given(st.lists(st.text(max_size=60), max_size=20), st.sets(st.text(max_size=40), max_size=20))
def test_no_slug_is_ever_a_taken_name(labels: list[str], taken: set[str]) -> None:
    taken |= {slug(label) for label in labels}  # the worst case: every slug already has a spec
    names = assign_names(((str(i), None, label) for i, label in enumerate(labels)), taken)
    assert not set(names.values()) & taken
    assert len(set(names.values())) == len(labels)
