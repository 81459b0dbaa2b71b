"""`kefu demo`: fill the database with a believable service center to click through (idempotent)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.urls import reverse

from kefu.core.demo.build import build_demo, demo_logins
from kefu.core.demo.chat import ensure_chat_site

from .seed import positive_int


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # data only: needs the database, not the URL map or templates
    help = (
        "Create demo data: configuration, teams, staff in every role, customers and tickets. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tickets", type=positive_int, default=1000, help="tickets to create (default 1000)"
        )
        parser.add_argument(
            "--customers", type=positive_int, default=200, help="customers to create (default 200)"
        )

    def handle(self, *args, tickets: int = 1000, customers: int = 200, **options) -> None:
        for name, value in (("--tickets", tickets), ("--customers", customers)):
            if not isinstance(value, int) or value < 1:
                raise CommandError(f"{name} must be a positive whole number, not {value!r}")
        started = time.perf_counter()
        result = build_demo(tickets=tickets, customers=customers)
        if result.created:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # statistics for the planner: the queue's partial indexes
            c = result.counts
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data created in {time.perf_counter() - started:.1f} s: {c['staff']} staff, {c['teams']} teams, "
                    f"{c['customers']:,} customers, {c['tickets']:,} tickets, {c['messages']:,} messages."
                )
            )
        else:
            self.stdout.write("Demo data is already there; nothing was created.")
        self.stdout.write("")
        self.stdout.write(f"  {'username':<12} {'role':<26} {'password':<16} name")
        self.stdout.write(f"  {'-' * 12} {'-' * 26} {'-' * 16} {'-' * 10}")
        for username, role, password, name in demo_logins():
            self.stdout.write(f"  {username:<12} {role:<26} {password:<16} {name}")
        self.stdout.write("")
        self.stdout.write(
            f"  Staff sign-in:   {settings.SITE_URL}{_path('accounts:login', '/accounts/login/')}"
        )
        self.stdout.write(f"  Customer portal: {settings.SITE_URL}{_path('portal:home', '/portal/')}")
        site = ensure_chat_site()
        self.stdout.write(
            f"  Chat widget:     {settings.SITE_URL}{_path('webchat:demo', '/chat/demo/')}?site={site.key}"
        )


def _path(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except Exception:  # not routed yet, or the URL map does not import: print the usual path
        return fallback
