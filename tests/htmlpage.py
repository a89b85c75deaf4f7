"""An HTML page as the report tests read it: its start tags, its text and its scripts."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """Every start tag with its attributes, the text, and each script's type and body."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []
        self.scripts = []
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts.append([dict(attrs).get("type"), ""])
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1][1] += data
        elif self._in is None:
            self.text.append(data)

    def all_text(self):
        """The text, each piece apart: words of adjacent cells never run together."""
        return " ".join(" ".join(self.text).split())

    def flat(self):
        """The text as a reader sees it in running prose (markup inside a sentence gone)."""
        return " ".join("".join(self.text).split())
