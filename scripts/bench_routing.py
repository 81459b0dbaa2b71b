"""Routing decisions per second: intake rules + classifier on new tickets, in a throw-away test database.

    .venv/bin/python scripts/bench_routing.py [--tickets 300] [--rules 20]

Prints one JSON object: decisions/s for the pure decision (rules + model prediction, no writes) and for the
whole routing of a stored new ticket (facts from the database, timeline events, field changes).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--rules", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        print(json.dumps(run(args.tickets, args.rules)))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(n_tickets: int, n_rules: int) -> dict:
    from django.db import connection

    from kefu.accounts.models import Team
    from kefu.customers.models import Customer
    from kefu.routing import rules, services
    from kefu.routing.models import IntakeRule, RoutingDecision
    from kefu.routing.tests.samples import examples
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Category, Status, Ticket

    teams = {label: Team.objects.create(name=f"{label}组") for label in ("order", "complaint", "tech")}
    Team.objects.create(name="接线组", is_default=True)
    categories = {label: Category.objects.create(code=label, name=label) for label in teams}
    customer = Customer.objects.create(name="bench")
    for i, (text, label) in enumerate(examples() * 3):
        ticket = tickets.create_ticket(
            customer=customer,
            subject=f"{text[:20]} {i}",
            text=text,
            channel="web",
            category=categories[label],
            team=teams[label],
        )
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.SOLVED)
    for i in range(n_rules):  # rules that do not match, so every ticket is checked against all of them
        IntakeRule.objects.create(
            name=f"r{i}",
            position=i,
            words=[f"关键词{i}", f"keyword {i}"],
            pattern=r"订单号\s*\d{12}",
            channels=["email", "web"],
            set_category=categories["order"],
        )
    services.retrain_classifier()
    samples = [text for text, _label in examples()]

    specs = services.active_rules()
    services.predict("warm up")
    start = time.perf_counter()
    for i in range(n_tickets):
        text = samples[i % len(samples)]
        rules.plan(specs, rules.Facts(channel="web", subject=text, body=text))
        services.predict(f"{text}\n{text}")
    pure = n_tickets / (time.perf_counter() - start)

    # Routing runs in the TicketCreated listener; time that call alone, on tickets no rule matches.
    spent = 0.0
    original = services.route_new_ticket

    def timed(**kwargs):
        nonlocal spent
        began = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            spent += time.perf_counter() - began

    services.route_new_ticket = timed
    for i in range(n_tickets):
        text = samples[(i * 7) % len(samples)]
        tickets.create_ticket(customer=customer, subject=text[:30], text=text, channel="chat")
    services.route_new_ticket = original
    classified = RoutingDecision.objects.exclude(model_version=None).count()
    stored = n_tickets / spent
    return {
        "tickets": n_tickets,
        "rules": n_rules,
        "decisions_per_s": round(pure, 1),
        "routed_tickets_per_s": round(stored, 1),
        "classified": classified,
        "database": connection.vendor,
    }


if __name__ == "__main__":
    main()
