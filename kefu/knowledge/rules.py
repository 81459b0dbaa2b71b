"""Pure knowledge-base rules: the article workflow, when a suggestion counts as a deflection, what changed between versions,
which images and links an article body may keep, and what type an uploaded article file is."""

import difflib
import mimetypes
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser

from kefu.chat.rules import sniff_type

DEFLECTION_WINDOW = timedelta(minutes=30)


def deflection_outcome(
    *,
    opened_at: datetime,
    tickets_after: list[datetime],
    now: datetime,
    window: timedelta = DEFLECTION_WINDOW,
) -> str | None:
    """A customer opened a suggested article while writing a ticket. If she submits a ticket within the
    window, the article did not deflect it ("ticket"); once the window has passed without one, it did
    ("deflected"); before that nothing is known yet (None)."""
    if any(opened_at <= at <= opened_at + window for at in tickets_after):
        return "ticket"
    if now >= opened_at + window:
        return "deflected"
    return None


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same" | "added" | "removed"
    text: str


_BLOCK_END = re.compile(r"(</(?:p|li|h[1-6]|tr|pre|blockquote|div)>|<br\s*/?>)", re.IGNORECASE)


def _lines(html: str) -> list[str]:
    """The stored HTML as lines: one per block, so a diff shows paragraphs, not one long line."""
    return [line.strip() for line in _BLOCK_END.sub(r"\1\n", html or "").splitlines() if line.strip()]


def revision_diff(old: str, new: str) -> list[DiffLine]:
    """Line diff of two versions' source (the template escapes it: the diff is shown as text, never run)."""
    result = []
    for line in difflib.ndiff(_lines(old), _lines(new)):
        code, text = line[:2], line[2:]
        if code == "  ":
            result.append(DiffLine("same", text))
        elif code == "- ":
            result.append(DiffLine("removed", text))
        elif code == "+ ":
            result.append(DiffLine("added", text))
    return result


# An article's workflow: draft → review → published, back to draft to rework (values of ArticleStatus).
ARTICLE_TRANSITIONS = {
    "draft": {"review", "published"},
    "review": {"draft", "published"},
    "published": {"draft"},
}


def next_statuses(status: str) -> set[str]:
    """The statuses an article in `status` may move to."""
    return ARTICLE_TRANSITIONS.get(str(status), set())


# --- article attachments ---------------------------------------------------------------------------

ATTACHMENT_KEY = re.compile(r"[A-Za-z0-9_-]{20,40}")
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Types whose content can be checked: a file named like one of them must really be one.
CHECKED_TYPES = IMAGE_TYPES | {"application/pdf", "text/plain"}
DOWNLOAD_TYPE = "application/octet-stream"


def attachment_key(url: str, prefix: str) -> str | None:
    """The key when `url` is exactly one of Kefu's own article-file addresses, `<prefix><key>/` (a path on
    this site: no host, query or fragment), else None."""
    if not url.startswith(prefix):
        return None
    key, slash, tail = url[len(prefix) :].partition("/")
    return key if slash and not tail and ATTACHMENT_KEY.fullmatch(key) else None


def body_url_filter(*, prefix: str, keys: Collection[str]) -> Callable[[str, str, str], str | None]:
    """An attribute filter for the HTML sanitizer: an <img> keeps its src only when it is the address of one
    of `keys` (never an external, data: or javascript: address); a link to one of Kefu's article files
    that is not in `keys` (deleted, or another article's) loses its href. Other links are left alone."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if attachment_key(value, prefix) in keys else None
        if tag == "a" and attribute == "href" and value.startswith(prefix):
            return value if attachment_key(value, prefix) in keys else None
        return value

    return keep


# In sanitized HTML every attribute is double-quoted and ">" inside a value is escaped, so this is exact.
_IMG_WITHOUT_SRC = re.compile(r'<img(?![^>]*\ssrc=")[^>]*>')


def drop_images_without_source(html: str) -> str:
    """Remove the <img> tags the sanitizer left without a src (sanitized HTML in, sanitized HTML out)."""
    return _IMG_WITHOUT_SRC.sub("", html)


def referenced_keys(html: str, prefix: str) -> set[str]:
    """The keys of own article files that (sanitized) HTML shows or links to."""
    pattern = r'(?:src|href)="' + re.escape(prefix) + r'([A-Za-z0-9_-]{20,40})/"'
    return set(re.findall(pattern, html or ""))


def attachment_type(*, name: str, head: bytes) -> str | None:
    """The type an article file is stored and served as. Images, PDF and UTF-8 text are recognised by their
    first bytes (as chat uploads are); a file named as one of those but whose content is not is refused
    (None). Anything else is kept as a plain download (`DOWNLOAD_TYPE`), never shown in the browser."""
    claimed = mimetypes.guess_type(name)[0] or ""
    real = sniff_type(head, claimed if claimed == "text/plain" else "")
    if claimed in CHECKED_TYPES:
        if real == claimed or (real in IMAGE_TYPES and claimed in IMAGE_TYPES):
            return real
        return None
    return real or DOWNLOAD_TYPE


_PARAGRAPHS = {"p", "div", "blockquote", "pre", "table", "section", "article", "figure", "hr"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LINES = {"tr", "dt", "dd", "figcaption"}


class _PlainText(HTMLParser):
    """Collects an article body as text: blocks become line breaks, list items "- " or "1. " lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.newlines = 0  # line breaks at the end of the text so far: blocks ask for at least 1 or 2
        self.lists: list[list] = []  # per open list: [ordered, items so far]
        self.in_pre = 0

    def _break(self, count: int) -> None:
        if self.parts and self.newlines < count:
            self.parts.append("\n" * (count - self.newlines))
            self.newlines = count

    def _at_line_start(self) -> bool:
        return not self.parts or self.newlines > 0

    def _write(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.newlines = len(text) - len(text.rstrip("\n"))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("ul", "ol"):
            self._break(1 if self.lists else 2)
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self._break(1)
            marker = "- "
            if self.lists:
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}. " if self.lists[-1][0] else "- "
            self._write("  " * max(len(self.lists) - 1, 0) + marker)
        elif tag == "br":
            self._break(1)
        elif tag in _PARAGRAPHS or tag in _HEADINGS:
            self._break(2)
        elif tag in _LINES:
            self._break(1)
        elif tag in ("td", "th") and not self._at_line_start():
            self._write(" ")
        if tag == "pre":
            self.in_pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._break(1 if self.lists else 2)
        elif tag in ("li", *_LINES):
            self._break(1)
        elif tag in _PARAGRAPHS or tag in _HEADINGS:
            self._break(2)
        if tag == "pre" and self.in_pre:
            self.in_pre -= 1

    def handle_data(self, data: str) -> None:
        if not self.in_pre:
            data = re.sub(r"\s+", " ", data)
            if self._at_line_start():
                data = data.lstrip()
        self._write(data)


def plain_text(html: str) -> str:
    """An article body (sanitized HTML) as the plain text of a reply: headings and paragraphs separated by
    a blank line, list items as "- " (or "1. ") lines, <br> as a line break."""
    parser = _PlainText()
    parser.feed(html or "")
    parser.close()
    text = re.sub(r"[ \t]+\n", "\n", "".join(parser.parts))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
