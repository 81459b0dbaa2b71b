"""Template helpers of the workspace: times in the user's zone, event sentences, safe colours, form fields."""

import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from html import escape as html_escape

from django import template
from django.template.base import Node, NodeList, TextNode, TokenType, Variable
from django.template.defaulttags import CommentNode, IfNode
from django.template.loader import render_to_string
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kefu.workspace.timeline import describe_event
from kefu.workspace.widgets import conditional_escape  # Django's text, without its lazy-string check per call

register = template.Library()

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


@lru_cache(maxsize=1024)
def _ago(language: str | None, unit: str, count: int) -> str:
    # A list page shows dozens of times: each (language, unit, count) is translated once per process.
    # The literal calls keep the sentences visible to makemessages.
    if unit == "minute":
        text = ngettext("%(count)d minute ago", "%(count)d minutes ago", count)
    elif unit == "hour":
        text = ngettext("%(count)d hour ago", "%(count)d hours ago", count)
    else:
        text = ngettext("%(count)d day ago", "%(count)d days ago", count)
    return text % {"count": count}


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """'just now', '5 minutes ago', '3 hours ago', '2 days ago', then the local date."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < -60:
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if seconds < 60:
        return _("just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        return _ago(get_language(), "minute", minutes)
    hours = minutes // 60
    if hours < 24:
        return _ago(get_language(), "hour", hours)
    days = hours // 24
    if days < 7:
        return _ago(get_language(), "day", days)
    local = timezone.localtime(value)
    if local.year == timezone.localtime(now).year:
        return f"{date_format(local, 'MONTH_DAY_FORMAT')} {local:%H:%M}"
    return date_format(local, "DATE_FORMAT")


@register.simple_tag
def when(value: datetime | None) -> str:
    """<time> with the relative time as text and the absolute local time as its tooltip."""
    if not value:
        return ""
    local = timezone.localtime(value)
    # Built directly rather than with format_html: this tag runs once per row and per message.
    # html.escape is what django.utils.html.escape runs, without its per-call check for lazy strings.
    return mark_safe(
        f'<time datetime="{value.isoformat()}" title="{local.strftime("%Y-%m-%d %H:%M")} '
        f'{html_escape(local.tzname() or "")}">{html_escape(str(relative_time(value)))}</time>'
    )


def when_maker() -> Callable[[datetime | None], str]:
    """`when` for a list of times: the clock and the user's zone read once for all of them (a queue page
    asked for them 50 times each, issue 7)."""
    now, zone = timezone.now(), timezone.get_current_timezone()

    def when_in_list(value: datetime | None) -> str:
        if not value:
            return ""
        local = value.astimezone(zone)  # timezone.localtime(value), for the aware times Kefu stores
        return mark_safe(
            f'<time datetime="{value.isoformat()}" title="{local.strftime("%Y-%m-%d %H:%M")} '
            f'{html_escape(local.tzname() or "")}">{html_escape(str(relative_time(value, now)))}</time>'
        )

    return when_in_list


@register.simple_tag
def local_time(value: datetime | None) -> str:
    """The absolute time in the user's zone, e.g. 2026-03-05 14:07."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), local.strftime("%Y-%m-%d %H:%M"))


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% url name %}` for a URL without arguments, reversed once per process (and script prefix): the staff
    shell links a dozen pages on every request. Like `{% url … as var %}`, an unknown name gives ""."""
    return _fixed_url(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _fixed_url(name: str, _prefix: str, _urlconf) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


_URL_SENTINEL = 987654321987654321  # a ticket id no real ticket has, replaced by each row's id


@lru_cache(maxsize=64)
def _id_url_pattern(name: str, _prefix: str, _urlconf) -> str:
    return reverse(name, args=[_URL_SENTINEL])


@register.simple_tag
def id_url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` (and `{% url name pk %}`) for a URL with one id, the resolver run once per
    process and name: each `{% url %}` ran it anew, ~0.05 ms apiece on the ticket page (issue 7)."""
    return _id_url_pattern(name, get_script_prefix(), get_urlconf()).replace(str(_URL_SENTINEL), str(pk))


@register.filter
def event_text(message) -> str:
    return describe_event(message)


@register.filter
def safe_colour(value: str) -> str:
    """Only a plain hex colour reaches a style attribute."""
    return value if isinstance(value, str) and _HEX_COLOUR.match(value) else "#64748b"


@register.filter
def language_name(code: str) -> str:
    """'zh-hans' → '简体中文': the name a language has in the settings' list, else the code itself."""
    from django.conf import settings

    return dict(settings.LANGUAGES).get((code or "").lower(), code or "—")


@register.filter
def initials(name: str) -> str:
    """One or two letters for an avatar: the first Chinese character, or initials of Latin names."""
    name = (name or "?").strip()
    if not name:
        return "?"
    if not name[0].isascii():
        return name[0]
    parts = name.split()
    return "".join(p[0] for p in parts[:2]).upper()


@register.simple_tag
def form_field(field) -> str:
    """What `{% include "core/_field.html" with field=… %}` prints, written in Python for a plain visible
    field: the include's template lookup and context cost ~0.1 ms per field of the ticket page (issue 7).
    Hidden fields and checkboxes still go through the template."""
    if field.is_hidden or field.widget_type == "checkbox":
        return render_to_string("core/_field.html", {"field": field})
    errors = "".join(f'<small class="error">{conditional_escape(error)}</small>' for error in field.errors)
    help_text = (
        f'<small class="help" id="{conditional_escape(field.auto_id)}_helptext">'
        f"{conditional_escape(field.help_text)}</small>"
        if field.help_text
        else ""
    )
    required = ' <span aria-hidden="true">*</span>' if field.field.required else ""
    return mark_safe(
        f'\n\n<div class="field{" has-error" if field.errors else ""}">\n'
        f'  <label for="{conditional_escape(field.id_for_label)}">{conditional_escape(field.label)}{required}</label>\n'
        f"  {field}\n  {help_text}\n  {errors}\n</div>\n"
    )


class PerLanguageNode(Node):
    """`{% per_language %}…{% endper_language %}`: constant text and translations, rendered once per language.

    Every `{% translate %}` costs a variable lookup, a catalog look-up and an escape on each request (the staff
    shell alone has thirty, issue 7). A stretch of a template that holds nothing but text and constant
    translations gives the same output for everyone who reads that language: it is rendered the first time
    and kept (per language and autoescape setting) for the life of the process. Anything that could depend on
    the request is refused when the template is compiled, so a cached stretch can never show one person's
    data to another. The tags inside stay ordinary `{% translate %}` tags, which makemessages reads.
    """

    def __init__(self, nodelist: NodeList):
        self.nodelist = nodelist
        self.rendered: dict[tuple[str | None, bool], str] = {}

    def render(self, context) -> str:
        key = (get_language(), context.autoescape)
        output = self.rendered.get(key)
        if output is None:
            output = self.rendered[key] = self.nodelist.render(context)
        return output


def _constant(expression) -> bool:
    """A filter expression that is a quoted string without filters (or absent)."""
    if expression is None:
        return True
    var = expression.var
    literal = isinstance(var, str) or (isinstance(var, Variable) and var.lookups is None)
    return literal and not expression.filters


def _is_constant(node: Node) -> bool:
    if isinstance(node, (TextNode, CommentNode)):
        return True
    if isinstance(node, TranslateNode):
        return node.asvar is None and _constant(node.filter_expression) and _constant(node.message_context)
    if isinstance(node, BlockTranslateNode):
        return (
            not node.extra_context
            and node.counter is None
            and node.asvar is None
            and _constant(node.message_context)
            and all(token.token_type == TokenType.TEXT for token in node.singular)
        )
    return False


@register.tag("per_language")
def per_language(parser, token) -> PerLanguageNode:
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    for node in nodelist:
        if not _is_constant(node):
            raise template.TemplateSyntaxError(
                f"{{% per_language %}} holds only text and constant translations, not {node!r}"
            )
    return PerLanguageNode(nodelist)


class TranslationsPerLanguageNode(Node):
    """`{% translations_per_language %}…{% endtranslations_per_language %}`: renders what it holds as usual,
    except that each constant translation inside (at any depth: in conditions, loops, blocks, partials) is
    rendered once per language, as in `{% per_language %}`.

    A staff page prints fifty-odd `{% translate %}` tags among its variables and conditions, each costing a
    lookup, a catalog read and an escape per request (issue 7); `{% per_language %}` can only hold stretches
    without variables. When the template is compiled, every `{% translate %}` and `{% blocktranslate %}`
    whose output depends on the language alone (the same test as `{% per_language %}`'s) is wrapped in a
    per-language node; anything else is left as it was.
    """

    def __init__(self, nodelist: NodeList):
        self.nodelist = nodelist
        _translations_per_language(nodelist)

    def render(self, context) -> str:
        return self.nodelist.render(context)


def _translations_per_language(nodelist: NodeList) -> None:
    for index, node in enumerate(nodelist):
        if isinstance(node, PerLanguageNode):
            continue
        if isinstance(node, (TranslateNode, BlockTranslateNode)):
            if _is_constant(node):
                kept = PerLanguageNode(NodeList([node]))
                kept.token, kept.origin = node.token, node.origin
                nodelist[index] = kept
            continue
        if isinstance(node, IfNode):
            children = [child for _condition, child in node.conditions_nodelists]
        else:
            children = [getattr(node, name, None) for name in node.child_nodelists]
        for child in children:
            if isinstance(child, NodeList):
                _translations_per_language(child)


@register.tag("translations_per_language")
def translations_per_language(parser, token) -> TranslationsPerLanguageNode:
    nodelist = parser.parse(("endtranslations_per_language",))
    parser.delete_first_token()
    return TranslationsPerLanguageNode(nodelist)
