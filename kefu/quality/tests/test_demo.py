"""The demo ships the standard scorecard and a few reviews by qa1, once."""

import pytest

from kefu.core.demo import data
from kefu.core.demo.build import build_demo
from kefu.quality.models import Review, Scorecard

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_standard_scorecard_and_reviews_by_qa1():
    build_demo(tickets=80, customers=40)

    scorecard = Scorecard.objects.get(name="服务质检标准")
    criteria = list(scorecard.criteria.all())
    assert scorecard.name_en == "Service quality standard"
    assert [c.name for c in criteria][0] == "问候与开场白"
    assert sum(c.max_points for c in criteria) == 100
    assert [c.name for c in criteria if c.is_critical] == ["致命项：泄露客户隐私"]
    reviews = Review.objects.filter(reviewer__username=data.QUALITY_INSPECTOR)
    assert reviews.count() == data.QUALITY_REVIEWS
    assert reviews.filter(critical_failed=True, score_percent=0).count() == 1
    assert all(
        r.ticket.status in ("solved", "closed") and r.agent_id == r.ticket.assignee_id for r in reviews
    )

    build_demo(tickets=80, customers=40)

    assert Scorecard.objects.count() == 1
    assert Review.objects.count() == data.QUALITY_REVIEWS
