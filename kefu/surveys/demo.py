"""Demo answers: a share of the demo's solved tickets get a survey, most of them answered (`make demo`)."""

import random
import secrets
from datetime import timedelta

from kefu.core import clock
from kefu.tickets.models import Status, Ticket

from . import rules
from .models import Survey

ANSWERED_SHARE = 0.35  # of solved and closed demo tickets
# (CSAT, NPS, comment): mostly happy customers, some unhappy ones, as a service center's real mix.
ANSWERS: list[tuple[int, int | None, str]] = [
    (5, 10, "客服很耐心，问题很快就解决了，谢谢！"),
    (5, 9, ""),
    (5, 9, "Quick and friendly, thank you."),
    (4, 8, "处理得不错，就是等待时间有点长。"),
    (4, 8, ""),
    (4, None, ""),
    (3, 6, "问题解决了，但来回沟通了好几次。"),
    (2, 4, "Took three days to get a real answer."),
    (1, 0, "退款到现在还没到账，很失望。"),
]
WEIGHTS = [26, 16, 5, 14, 9, 5, 12, 7, 6]  # 75 % satisfied, NPS about +23


def ensure_demo_surveys(*, seed: int = 2026) -> int:
    """Add answered surveys to solved demo tickets once (a demo that has any survey is left alone)."""
    if Survey.objects.exists():
        return 0
    rng = random.Random(seed)
    now = clock.now()
    solved = Ticket.objects.filter(status__in=(Status.SOLVED, Status.CLOSED), solved_at__isnull=False).only(
        "id", "solved_at", "team_id", "assignee_id"
    )
    surveys = []
    for ticket in solved.order_by("id").iterator():
        if rng.random() >= ANSWERED_SHARE:
            continue
        csat, nps, comment = rng.choices(ANSWERS, weights=WEIGHTS)[0]
        surveys.append(
            Survey(
                ticket_id=ticket.pk,
                solved_at=ticket.solved_at,
                token=secrets.token_urlsafe(24),
                team_id=ticket.team_id,
                agent_id=ticket.assignee_id,
                created_at=ticket.solved_at,
                expires_at=rules.expiry_for(ticket.solved_at),
                csat=csat,
                nps=nps,
                comment=comment,
                answered_at=min(now, ticket.solved_at + timedelta(hours=rng.uniform(0.2, 30))),
            )
        )
    Survey.objects.bulk_create(surveys, batch_size=500)
    return len(surveys)
