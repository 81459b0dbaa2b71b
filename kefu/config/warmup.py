"""Work a server process does once at start instead of in its first requests."""


def warm_up() -> None:
    """Load jieba's dictionary (~0.8 s): otherwise every worker's first searches, FAQ bot answers and
    ticket indexing wait for it (a fresh worker under load answered its first searches in ~2 s)."""
    from kefu.knowledge.matching import get_jieba

    get_jieba()
