"""`kefu sla_sweep [--once]`: run the SLA sweeper in the foreground."""

import time

from django.core.management.base import BaseCommand

from kefu.sla.services import sweep_sla


class Command(BaseCommand):
    help = "Warn, breach and escalate tickets whose SLA deadlines have passed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Sweep once and exit.")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between sweeps.")

    def handle(self, *args, once: bool, interval: float, **options) -> None:
        while True:
            claimed = sweep_sla()
            self.stdout.write(f"sla_sweep: {claimed} due")
            if once:
                return
            time.sleep(interval)
