"""The organization list links its rows from one reverse() (issue 10: a page of 50 rows
made a hundred): each row's link and its superior's are still the detail page's."""

import re

import pytest
from django.urls import reverse

from ..factories import add_many_branches

pytestmark = pytest.mark.django_db


def test_every_row_links_to_its_detail_page_and_its_superiors(client_for, people, county):
    add_many_branches(county.town_a, 60)
    response = client_for(people.alice).get(reverse("orgs:list"), {"sort": "-code"})
    rows = response.context["rows"]
    assert len(rows) == 50
    html = response.content.decode()
    for org in rows:
        assert org.url == reverse("orgs:detail", args=[org.pk])
        assert f'href="{org.url}"' in html
        if org.parent_org is not None:
            assert org.parent_org.url == reverse("orgs:detail", args=[org.parent_org.pk])
    parents = [org for org in rows if org.parent_org is not None]
    assert parents and all(f'href="{org.parent_org.url}">{org.parent_org.name}<' in html
                           for org in parents)
    # No link is left to the template's {% url %}: every detail link is one of the rows'.
    detail = re.compile(r'href="(/orgs/\d+/)"')
    urls = {org.url for org in rows} | {org.parent_org.url for org in parents}
    assert set(detail.findall(html)) <= urls
