"""A page's SQL count does not grow with the number of news items."""

import pytest
from django.utils import timezone

from springboard.content.models import NewsItem
from tests import factories
from tests.helpers import queries_for

pytestmark = pytest.mark.django_db


def _news(org, count: int) -> None:
    now = timezone.now()
    NewsItem.objects.bulk_create(
        NewsItem(
            organization=org,
            title=f"News {n}",
            show_on_splash=n % 2 == 0,
            published_at=now - timezone.timedelta(hours=n),
        )
        for n in range(count)
    )


@pytest.mark.parametrize("path", ["/acme/", "/acme/dashboard/", "/acme/news/"])
def test_pages_run_the_same_queries_for_3_and_60_news_items(client, org, other_org, path):
    factories.location(org, name="Second")
    settings = org.portal_settings
    settings.welcome_enabled = True
    settings.save()
    _news(org, 3)
    client.get(path)  # the session exists from now on, as for any returning visitor
    few = queries_for(client, path)
    _news(org, 57)
    many = queries_for(client, path)
    assert few == many
