"""Small, ordered filters over a parsed mail (in the manner of Zammad's postmaster filters).

Each filter looks at one thing and adds flags; a flagged mail is still stored, but never triggers a
notification, so two auto-responders can never talk to each other through Kefu.
"""

from collections.abc import Callable, Iterable

from .parse import ParsedMail

OWN_LOOP = "own_loop"
AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"

Filter = Callable[[ParsedMail, frozenset[str]], set[str]]


def own_loop(mail: ParsedMail, own_addresses: frozenset[str]) -> set[str]:
    """Mail from one of our own mailbox addresses (a reply of ours coming back)."""
    return {OWN_LOOP} if mail.from_address and mail.from_address in own_addresses else set()


def auto_reply(mail: ParsedMail, own_addresses: frozenset[str]) -> set[str]:
    """Vacation notices, auto-responders and bulk/list mail (RFC 3834 and the common vendor headers)."""
    h = mail.headers
    if h.get("auto-submitted", "no").lower().split(";")[0].strip() not in ("", "no"):
        return {AUTO_REPLY}
    if h.get("x-autoreply") or h.get("x-autorespond") or h.get("x-auto-response-suppress"):
        return {AUTO_REPLY}
    if h.get("precedence", "").lower() in ("bulk", "junk", "list", "auto_reply"):
        return {AUTO_REPLY}
    return set()


def bounce(mail: ParsedMail, own_addresses: frozenset[str]) -> set[str]:
    """Delivery status notifications and MAILER-DAEMON / postmaster mail."""
    local = mail.from_address.partition("@")[0].lower()
    if mail.content_type == "multipart/report" or local in ("mailer-daemon", "postmaster"):
        return {BOUNCE}
    if mail.headers.get("x-failed-recipients") or mail.headers.get("return-path", "").strip() == "<>":
        return {BOUNCE}
    return set()


PIPELINE: tuple[Filter, ...] = (own_loop, auto_reply, bounce)


def run_filters(
    mail: ParsedMail, own_addresses: Iterable[str], pipeline: tuple[Filter, ...] = PIPELINE
) -> list[str]:
    own = frozenset(a.lower() for a in own_addresses if a)
    flags: set[str] = set()
    for check in pipeline:
        flags |= check(mail, own)
    return sorted(flags)
