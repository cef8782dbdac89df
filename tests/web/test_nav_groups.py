"""The navigation's groups (web/pages.py GROUPS): one entry for each group of pages, marked on
every page of it, whose pages are tabs; a sub-page is its closest tab's."""

import pytest

from telekpi.web.access import CENTRE_PAGES
from telekpi.web.pages import GROUPS, NAV, group_of


@pytest.mark.parametrize(("path", "group"), [
    ("/care", "/care"), ("/qa", "/care"), ("/qa/review/C1", "/care"), ("/qa/calibration", "/care"),
    ("/operations", "/operations"), ("/operations/numbers", "/operations"), ("/staffing", "/operations"),
    ("/", None), ("/agents/A003", None), ("/qaz", None),
])
def test_a_page_belongs_to_its_group(path, group):
    assert group_of(path) == group


def test_every_group_is_an_entry_of_the_navigation_and_its_pages_are_the_centres():
    entries = [href for href, _label in NAV]
    for entry, (_label, tabs) in GROUPS.items():
        assert entry in entries and tabs[0][0] == entry      # the entry opens the group's first tab
        assert all(href in CENTRE_PAGES for href, _name in tabs)
        assert not [href for href, _name in tabs if href != entry and href in entries]   # once
