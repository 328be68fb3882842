"""A chat's row in the list (inbox/row.py): what a customer wrote is shown as text, never as
markup, and its links keep the list the seller was looking at."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from tests.conftest import customer_says, integration_api

NAME = '<img src=x onerror="alert(1)">'
TEXT = "<b>¿tienen</b> & <script>stock</script>?"


@pytest.fixture
def seller(agent):
    client = Client()
    client.force_login(agent)
    return client


@pytest.mark.django_db
def test_what_a_customer_wrote_is_shown_as_text_in_every_way_a_row_reaches_the_page(seller, inbox):
    said = integration_api(inbox.pk).post(f"/inboxes/{inbox.pk}/messages", {"contact": {"external_id": "raro", "name": NAME}, "text": TEXT})
    conv_id = said.json_body["conversation_id"]
    seller.post(f"/ui/c/{conv_id}/tags", {"add": "<i>vip</i>"}, HTTP_HX_REQUEST="true")
    for page in (seller.get("/ui/list?tab=pending").content.decode(),
                 seller.get(f"/ui/list/rows?tab=pending&scope=all&ids={conv_id}").content.decode()):
        assert f'data-id="{conv_id}"' in page
        for raw in (NAME, "<b>", "<script>stock", "<i>vip"):
            assert raw not in page
        assert html.escape("<i>vip</i>", quote=False) in page and html.escape("<b>¿tienen</b>", quote=False) in page


@pytest.mark.django_db
def test_a_rows_links_keep_the_list_and_its_words_follow_the_language(seller, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    for language, waiting in (("es", "El cliente espera hace"), ("en", "Customer waiting for")):
        page = seller.get("/ui/list?tab=pending&scope=unassigned", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        row = html.unescape(page[page.index(f'data-id="{conv_id}"') - 400:])
        assert f'href="/c/{conv_id}?tab=pending&scope=unassigned"' in row and f'hx-get="/ui/c/{conv_id}"' in row
        assert f'title="{waiting}"' in row
