"""HTML from outside (mail, widgets, API) is sanitized with nh3 before it is stored or shown."""

import html as html_lib
import re

import nh3

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "*": {"lang", "dir"},
}


def clean_html(value: str, *, attribute_filter=None) -> str:
    """Keep formatting, drop scripts, styles, event handlers and dangerous URLs.

    `attribute_filter(tag, attribute, value)` may rewrite or (returning None) drop an allowed attribute."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=attribute_filter,
    )


_BLOCK_END = re.compile(r"</(p|div|li|tr|h[1-6]|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(value: str) -> str:
    """A readable plain-text version of (already sanitized) HTML, for previews, search and text mail parts."""
    if not value:
        return ""
    text = _BLOCK_END.sub("\n", clean_html(value))
    text = html_lib.unescape(_TAG.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip()
