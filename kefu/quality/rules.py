"""Pure scoring rules of a quality review: no ORM, tested with plain values."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Scored:
    """One criterion's points as the score needs them."""

    points: int
    max_points: int
    is_critical: bool = False


@dataclass(frozen=True)
class Score:
    percent: Decimal  # 0.0 .. 100.0, one decimal
    critical_failed: bool


def score(items: Iterable[Scored]) -> Score:
    """Points earned over points possible, as a percentage rounded half up to one decimal; 0 when any
    critical item (致命项) got 0 points, whatever the rest earned."""
    items = list(items)
    critical_failed = any(item.is_critical and item.points == 0 for item in items)
    possible = sum(item.max_points for item in items)
    if critical_failed or possible <= 0:
        return Score(percent=Decimal("0.0"), critical_failed=critical_failed)
    earned = sum(item.points for item in items)
    percent = (Decimal(earned) * 100 / Decimal(possible)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    return Score(percent=percent, critical_failed=False)


def points_error(points, max_points: int) -> str | None:
    """Why `points` cannot score a criterion worth `max_points` ("missing", "not_number", "range"), or None."""
    if points is None or points == "":
        return "missing"
    if isinstance(points, bool) or not isinstance(points, int):
        return "not_number"
    if not 0 <= points <= max_points:
        return "range"
    return None
