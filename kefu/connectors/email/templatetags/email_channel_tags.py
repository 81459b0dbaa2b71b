from django import template

from kefu.connectors.email.services import can_manage_mailboxes

register = template.Library()


@register.filter
def manages_mailboxes(user) -> bool:
    """`{% if user|manages_mailboxes %}`: the e-mail channel's pages are for administrators only."""
    return can_manage_mailboxes(user)
