"""`{{ article.body|plain_text }}`: an article body as the plain text a reply box takes (see rules.plain_text)."""

from django import template

from kefu.knowledge import rules

register = template.Library()


@register.filter
def plain_text(html: str) -> str:
    return rules.plain_text(html)
