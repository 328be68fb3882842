"""The API docs work offline: Swagger UI comes from the files installed with the product."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_the_api_docs_load_nothing_from_a_cdn():
    page = Client().get("/api/v1/docs").content.decode()
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page
    scripts = [chunk.split('"', 1)[0] for chunk in page.split('src="')[1:]]
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts
    for src in scripts:
        response = Client().get(src)
        assert response.status_code == 200, src
        assert b"".join(response.streaming_content if response.streaming else [response.content])
