"""Plain text from a report (HTML tags stripped with html.parser, nothing executed), its header and sentences."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# A report file may start with "Key: value" lines naming its source (then a blank line).
HEADER_KEYS = {"title", "source", "publisher", "url", "date", "published", "place", "kind", "note"}
_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "section",
               "article", "header", "footer", "blockquote", "title"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "svg"}
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘(]?[A-Z0-9])|\n\s*\n")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # character offsets in the document's plain text
    end: int


class _TextOnly(HTMLParser):
    """Collects text; script/style content is dropped and nothing is ever run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: str | None = None
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_title:
            self.title = (self.title or "") + data.strip()
            return
        self.parts.append(data)


def is_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|p|div|article)\b", text[:4096], re.I))


def html_to_text(html: str) -> tuple[str, str | None]:
    """(plain text, <title>) of an HTML document."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))
    return re.sub(r"\s*\n\s*\n\s*", "\n\n", text).strip(), parser.title


def split_header(text: str) -> tuple[dict[str, str], str]:
    """The leading "Key: value" lines (known keys only) and the body after them."""
    header: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    used = 0
    for line in lines:
        m = re.match(r"([A-Za-z]+):\s*(.*)$", line.strip())
        if not m or m.group(1).lower() not in HEADER_KEYS:
            break
        header[m.group(1).lower()] = m.group(2).strip()
        used += len(line)
    return header, text[used:] if header else text


def sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Sentences with their character offsets; paragraph breaks also end a sentence."""
    out, pos = [], 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        if m is None:
            end = len(text)
        else:  # a closing quote after the full stop belongs to the sentence
            sep = m.group(0)
            end = m.start() + len(sep) - len(sep.lstrip("\"”’'"))
        chunk = text[pos:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            n = len(chunk.strip())
            out.append(Sentence(chunk.strip(), offset + pos + lead, offset + pos + lead + n))
        pos = m.end() if m else len(text)
    return out
