"""Static files from npm packages: what the pages reference is served, and no more of a large
package is offered than they use (each file offered is indexed by every process and test client)."""

import re

from django.contrib.staticfiles import finders


def test_the_emoji_font_offers_its_used_weight_whole_and_nothing_else():
    css = finders.find("vendor/noto-emoji/400.css")
    assert css
    with open(css) as f:
        referenced = re.findall(r"url\(\./([^)]+\.woff2)\)", f.read())
    assert len(referenced) > 5
    for name in referenced:
        assert finders.find(f"vendor/noto-emoji/{name}"), name
    assert not finders.find("vendor/noto-emoji/files/noto-emoji-3-700-normal.woff2")
    assert not finders.find("vendor/noto-emoji/files/noto-emoji-3-400-normal.woff")
    assert finders.find("vendor/noto-emoji/README.md", find_all=True) == []
