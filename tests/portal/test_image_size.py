"""Uploaded images carry width and height, so a slow phone reserves their box before the
file arrives (no layout shift); the size is read from the file once, then from the cache."""

import re

import pytest

from springboard.portal.templatetags.image_size import image_size
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_news_list_gives_each_image_its_size(client, org):
    item = factories.news_item(org, image=factories.image_upload(size=(64, 48)), image_alt="Gym")
    page = client.get("/acme/news/").content.decode()
    tag = re.search(rf'<img[^>]*src="{re.escape(item.image.url)}"[^>]*>', page)[0]
    assert 'width="64" height="48"' in tag
    assert "lazy" not in tag  # the first items are above the fold: not lazy


def test_sizes_scale_to_one_side_and_a_lost_file_gives_no_attributes(org):
    item = factories.news_item(org, image=factories.image_upload(size=(64, 48)))
    assert image_size(item.image, height=24) == 'width="32" height="24"'
    assert image_size(item.image, width=160) == 'width="160" height="120"'
    lost = type(item).objects.get(pk=item.pk)
    lost.image.name = "news/never-uploaded.png"
    assert image_size(lost.image) == ""
    assert image_size(lost.image, width=160) == 'width="160"'


def test_the_size_is_read_from_the_file_once(org, monkeypatch):
    item = factories.news_item(org, image=factories.image_upload(size=(64, 48)))
    assert image_size(item.image) == 'width="64" height="48"'
    fresh = type(item).objects.get(pk=item.pk)
    monkeypatch.setattr(type(fresh.image), "width", property(lambda self: 1 / 0))
    assert image_size(fresh.image) == 'width="64" height="48"'  # from the cache
