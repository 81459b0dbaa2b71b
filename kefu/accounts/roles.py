"""The roles of a service center as Django groups, with the permissions each one carries.

Roles are defined here in code and synced into groups after every migrate; admins assign people to
roles, and may add extra permissions to a person, but the role's own list comes from this table.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.utils.translation import gettext_lazy as _

AGENT = "agent"
SENIOR_AGENT = "senior_agent"
SUPERVISOR = "supervisor"
TECH_SUPPORT = "tech_support"
TECH_SUPPORT_SUPERVISOR = "tech_support_supervisor"
QA_INSPECTOR = "qa_inspector"
ANALYST = "analyst"
TRAINER = "trainer"
ADMIN = "admin"
# Roles that read tickets but do not work them: never given a ticket by routing.
READ_ONLY_ROLES = (QA_INSPECTOR, ANALYST, TRAINER)

ROLE_LABELS = {
    AGENT: _("Agent (客服专员)"),
    SENIOR_AGENT: _("Senior agent (高级客服专员)"),
    SUPERVISOR: _("Supervisor (客服主管)"),
    TECH_SUPPORT: _("Tech-support agent (技术支持专员)"),
    TECH_SUPPORT_SUPERVISOR: _("Tech-support supervisor (技术支持主管)"),
    QA_INSPECTOR: _("QA inspector (质检员)"),
    ANALYST: _("Analyst (数据分析师)"),
    TRAINER: _("Trainer (培训师)"),
    ADMIN: _("Administrator (系统管理员)"),
}

_WORK_TICKETS = [
    "tickets.view_ticket",
    "tickets.add_ticket",
    "tickets.change_ticket",
    "tickets.add_message",
    "tickets.bulk_change_ticket",
    "tickets.view_macro",
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "accounts.view_team",
]
_READ_ALL = [
    "tickets.view_ticket",
    "tickets.view_all_tickets",
    "customers.view_customer",
    "accounts.view_team",
]
_LEAD = [
    "tickets.view_all_tickets",
    "tickets.assign_ticket",
    "tickets.bulk_change_ticket",
    "customers.view_customer_pii",
    "audit.view_auditentry",
]

# Knowledge base: every staff role reads articles (internal ones included); writers also publish.
_READ_KB = ["knowledge.view_article", "knowledge.view_faqentry"]
_WRITE_KB = [*_READ_KB, "knowledge.manage_knowledge"]

# Quality inspection (质检): agents read the reviews of their own work; inspectors and leads score anyone's.
_OWN_REVIEWS = ["quality.view_review"]
_READ_REVIEWS = [
    "quality.view_review",
    "quality.view_all_reviews",
]  # trainers coach from them, analysts measure
_INSPECT = [*_READ_REVIEWS, "quality.add_review"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    AGENT: [*_WORK_TICKETS, *_READ_KB, *_OWN_REVIEWS],
    TECH_SUPPORT: [*_WORK_TICKETS, *_READ_KB, *_OWN_REVIEWS],
    SENIOR_AGENT: [
        *_WORK_TICKETS,
        *_WRITE_KB,
        *_OWN_REVIEWS,
        "tickets.view_all_tickets",
        "tickets.assign_ticket",
        "customers.view_customer_pii",
    ],
    SUPERVISOR: [
        *_WORK_TICKETS,
        *_LEAD,
        *_WRITE_KB,
        *_INSPECT,
        "accounts.manage_users",
        "accounts.manage_configuration",
        "tickets.add_macro",
        "tickets.change_macro",
        "tickets.delete_macro",
    ],
    TECH_SUPPORT_SUPERVISOR: [*_WORK_TICKETS, *_LEAD, *_READ_KB, *_INSPECT],
    QA_INSPECTOR: [*_READ_ALL, *_READ_KB, *_INSPECT],
    ANALYST: [*_READ_ALL, *_READ_KB, *_READ_REVIEWS],
    TRAINER: [*_READ_ALL, *_WRITE_KB, *_READ_REVIEWS],
    ADMIN: [
        *_WORK_TICKETS,
        *_LEAD,
        *_WRITE_KB,
        *_INSPECT,
        "accounts.manage_users",
        "accounts.manage_configuration",
        "tickets.add_macro",
        "tickets.change_macro",
        "tickets.delete_macro",
    ],
}


def sync_roles(using: str = "default") -> None:
    """Create or update one group per role with exactly the role's permissions."""
    from django.contrib.auth.models import Group, Permission

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    wanted = {p for perms in ROLE_PERMISSIONS.values() for p in perms}
    by_key = {}
    for perm in Permission.objects.using(using).select_related("content_type").all():
        key = f"{perm.content_type.app_label}.{perm.codename}"
        if key in wanted:
            by_key[key] = perm
    missing = wanted - by_key.keys()
    if missing:
        raise LookupError(f"roles name unknown permissions: {sorted(missing)}")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([by_key[p] for p in perms])


def sync_roles_after_migrate(sender, using="default", apps=None, **kwargs) -> None:
    if apps is not None:
        try:
            apps.get_model("tickets", "Ticket")
            apps.get_model("customers", "Customer")
        except LookupError:
            return  # migrating partway (e.g. to zero): the models the roles name are not there
    sync_roles(using=using)


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))


def roles_of(user) -> list[str]:
    return [g.name for g in user.groups.all() if g.name in ROLE_LABELS]
