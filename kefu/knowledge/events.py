"""Events the knowledge domain emits; listeners are wired in kefu.config.listeners."""

from dataclasses import dataclass

from kefu.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ArticlePublished(Event):
    article_id: int
    actor_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class FaqChanged(Event):
    entry_id: int
