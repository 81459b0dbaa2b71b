"""How the audit log names what happened: an action code ("review.create", "knowledge.faq_updated") by the
verb after its last dot, in the reader's language; a code with an unknown verb is shown as it is."""

from django.utils.translation import pgettext_lazy

# A context of their own: "created" elsewhere names a date column (创建时间).
VERBS = {
    "create": pgettext_lazy("audit action", "created"),
    "update": pgettext_lazy("audit action", "changed"),
    "delete": pgettext_lazy("audit action", "deleted"),
    "admin_delete": pgettext_lazy("audit action", "deleted in the Django admin"),
    "admin_change": pgettext_lazy("audit action", "changed in the Django admin"),
    "view_pii": pgettext_lazy("audit action", "viewed personal data"),
    "move": pgettext_lazy("audit action", "moved"),
    "export": pgettext_lazy("audit action", "exported"),
    "roles": pgettext_lazy("audit action", "roles changed"),
    "profile": pgettext_lazy("audit action", "profile changed"),
    "set_password": pgettext_lazy("audit action", "password set"),
    "api_token": pgettext_lazy("audit action", "API token changed"),
    "token_issue": pgettext_lazy("audit action", "API token issued"),
    "token_regenerate": pgettext_lazy("audit action", "API token regenerated"),
    "token_revoke": pgettext_lazy("audit action", "API token revoked"),
    "link": pgettext_lazy("audit action", "linked"),
    "unlink": pgettext_lazy("audit action", "unlinked"),
    "retrain": pgettext_lazy("audit action", "classifier retrained"),
    "confirm_email": pgettext_lazy("audit action", "e-mail address confirmed"),
    "link_portal_login": pgettext_lazy("audit action", "portal login linked"),
    "add_identity": pgettext_lazy("audit action", "contact added"),
    "attachment_added": pgettext_lazy("audit action", "file added"),
    "attachment_deleted": pgettext_lazy("audit action", "file deleted"),
    "article_created": pgettext_lazy("audit action", "article created"),
    "article_updated": pgettext_lazy("audit action", "article changed"),
    "article_status": pgettext_lazy("audit action", "article status changed"),
    "faq_created": pgettext_lazy("audit action", "FAQ entry created"),
    "faq_updated": pgettext_lazy("audit action", "FAQ entry changed"),
}


def action_label(action: str) -> str:
    """The action in words: "review.create" → "created" ("创建" in Chinese)."""
    label = VERBS.get(action.rpartition(".")[2])
    return str(label) if label is not None else action
