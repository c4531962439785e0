"""User text in the app's Markdown views (chat, story summary, shot header) shows exactly as typed: it can
neither style the page nor make the browser fetch a remote image. Rendered with a real CommonMark renderer."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from director.ui.views import director_markdown, literal

RENDER = MarkdownIt("commonmark").render

HOSTILE = [
    "![b](http://attacker.example/beacon.png)",
    '<img src="http://attacker.example/x.png">',
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "**bold** _it_ `code` # heading > quote - item 1. first | table |",
    "back\\slash \\![x](y) &amp; &lt;",
    'Mia says, "it\'s 3.5 km" (really)!',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_renders_as_itself(text: str) -> None:
    html = RENDER(literal(text))
    assert "<img" not in html and "<script" not in html and "<a " not in html and "<strong>" not in html
    assert "<h1>" not in html and "<blockquote>" not in html and "<li>" not in html and "<em>" not in html
    shown = re.sub(r"<[^>]+>", "", html).strip()
    unescaped = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    assert unescaped == text


@pytest.mark.parametrize("quoted", HOSTILE)
def test_director_lines_keep_emphasis_but_quote_user_text_safely(quoted: str) -> None:
    html = RENDER(director_markdown(f"**The story** (version 2)\n\nSaved: {quoted}"))
    assert "<strong>The story</strong>" in html
    assert "<img" not in html and "<script" not in html and "<a " not in html
