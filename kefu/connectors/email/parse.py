"""Raw mail bytes → a `ParsedMail` (and from it an `InboundMessage`), robust to real-world breakage.

Python's `email` package with `policy.default` does the MIME work; every header and text part is then
decoded defensively: the declared charset first, gb18030 for the GB2312/GBK family (senders routinely
label GBK text as GB2312), then UTF-8, and Latin-1 with replacement as the last resort, so nothing raises.
"""

import codecs
import email
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from kefu.core.html import html_to_text
from kefu.tickets.attachments import IncomingFile

# Charset labels whose real content is, in practice, a superset encoding.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "iso-8859-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "iso-2022-jp": "iso2022_jp_ext",
}
_MAYBE_CHINESE = {
    "",
    "utf-8",
    "utf8",
    "us-ascii",
    "ascii",
    "gb2312",
    "gbk",
    "x-gbk",
    "cp936",
    "euc-cn",
    "gb18030",
}
_TICKET_TAG = re.compile(r"\[(?:[A-Za-z]+\s*)?#(\d{1,12})\]")
_MSGID = re.compile(r"<[^<>\s]+>")


@dataclass
class ParsedMail:
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[IncomingFile] = field(default_factory=list)
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    ticket_number: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased name → decoded value (first one)
    content_type: str = ""
    warnings: list[str] = field(default_factory=list)
    bounce_of: str = ""  # for delivery reports: the Message-ID of the mail that bounced

    @property
    def thread_root(self) -> str:
        """The conversation's first Message-ID: the oldest reference, else In-Reply-To, else our own."""
        if self.references:
            return self.references[0]
        return self.in_reply_to or self.message_id


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode text bytes with the declared charset (or its superset), falling back and never raising."""
    tried: list[str] = []
    label = (charset or "").strip().strip('"').lower()
    if label:
        tried.append(_SUPERSETS.get(label, label))
    tried.append("utf-8")
    if label in _MAYBE_CHINESE:
        # Unlabelled, "utf-8" that is not, or a Chinese label that lied: Chinese mail is usually GB18030.
        tried.append("gb18030")
    for name in tried:
        try:
            codecs.lookup(name)
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1", errors="replace")


def decode_header_value(value, hint: str | None = None) -> str:
    """Decode an RFC 2047 header value, including mislabeled or raw 8-bit ones (`hint`: the body charset)."""
    if value is None:
        return ""
    raw = _unescape(str(value), hint)
    try:
        parts = decode_header(raw)
    except Exception:
        return _clean(raw)
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    text = "".join(out) if any(c for _, c in parts) else _join_plain(parts)
    return _clean(text)


def _unescape(raw: str, hint: str | None) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: UTF-8, else the body's charset, else Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in raw):
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    for name in ("utf-8", _SUPERSETS.get((hint or "").lower(), hint or "cp1252"), "cp1252"):
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1", errors="replace")


def _join_plain(parts) -> str:
    try:
        return str(make_header(parts))
    except Exception:
        return "".join(p.decode("utf-8", "replace") if isinstance(p, bytes) else p for p, _ in parts)


def _clean(text: str) -> str:
    text = text.replace("\r", " ").replace("\n", " ")
    # Raw 8-bit headers arrive as surrogate escapes: recover the bytes and decode them properly.
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)
    return " ".join(text.split())


def _header(msg: Message, name: str, hint: str | None = None) -> str:
    return decode_header_value(_raw_header(msg, name), hint)


def _raw_header(msg: Message, name: str) -> str:
    """The header as written (for addresses and ids), before policy parsing could fail on it."""
    for key, value in msg.raw_items() if hasattr(msg, "raw_items") else msg.items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _address(msg: Message, hint: str | None = None) -> tuple[str, str]:
    raw = _raw_header(msg, "From") or _raw_header(msg, "Sender") or _raw_header(msg, "Return-Path")
    name, addr = parseaddr(_unescape(raw, hint).replace("\n", " ").replace("\r", " "))
    if not addr and "@" in raw:
        found = re.search(r"[\w.+\-=]+@[\w.\-]+", raw)
        addr = found.group(0) if found else ""
    return decode_header_value(name, hint).strip('"').strip(), addr.strip().lower()


def _addresses(msg: Message, name: str) -> list[str]:
    raw = [
        str(v)
        for k, v in (msg.raw_items() if hasattr(msg, "raw_items") else msg.items())
        if k.lower() == name
    ]
    try:
        return [a.lower() for _, a in getaddresses(raw) if a and "@" in a]
    except Exception:
        return []


def _ids(value: str) -> list[str]:
    return _MSGID.findall(value or "")


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            payload = raw.encode("utf-8", "surrogateescape")
        else:
            return ""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(payload, charset)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name is None:
        try:
            name = part.get_param("name")
        except Exception:
            name = None
    if isinstance(name, tuple):  # an RFC 2231 triple that the library left undecoded
        name = decode_bytes((name[2] or "").encode("latin-1", "replace"), name[0])
    return decode_header_value(name) if name else ""


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _walk(msg: Message, mail: ParsedMail, *, depth: int = 0) -> None:
    ctype = _content_type(msg)
    if ctype == "message/rfc822" and depth > 0:
        # A forwarded or bounced mail: keep it whole as an .eml file.
        payload = msg.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        try:
            content = inner.as_bytes(policy=policy.compat32) if inner is not None else b""
        except Exception:
            content = str(inner).encode("utf-8", "replace") if inner is not None else b""
        name = _filename(msg) or (_header(inner, "Subject")[:80] + ".eml" if inner is not None else "")
        mail.attachments.append(IncomingFile(name=name or "message.eml", content=content, content_type=ctype))
        return
    if msg.is_multipart():
        payload = msg.get_payload()
        if depth > 40 or not isinstance(payload, list):
            return
        for sub in payload:
            if isinstance(sub, Message):
                _walk(sub, mail, depth=depth + 1)
        return
    disposition = _disposition(msg)
    filename = _filename(msg)
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        text = _part_text(msg)
        if ctype == "text/plain":
            mail.text = f"{mail.text}\n\n{text}" if mail.text else text
        else:
            mail.html = f"{mail.html}\n{text}" if mail.html else text
        return
    if ctype.startswith("multipart/"):
        return
    try:
        content = msg.get_payload(decode=True) or b""
    except Exception:
        content = b""
        mail.warnings.append("undecodable attachment")
    cid = (_raw_header(msg, "Content-ID") or "").strip().strip("<>")
    if not filename:
        ext = {"message/delivery-status": "txt", "text/calendar": "ics", "text/plain": "txt"}.get(ctype)
        filename = f"part-{len(mail.attachments) + 1}.{ext or ctype.rpartition('/')[2] or 'bin'}"
    mail.attachments.append(IncomingFile(name=filename, content=content, content_type=ctype, content_id=cid))


def _disposition(msg: Message) -> str:
    try:
        return (msg.get("Content-Disposition") or "").split(";")[0].strip().lower()
    except Exception:
        return ""


def parse(raw: bytes) -> ParsedMail:
    """Parse one raw RFC 5322 message. Raises only when the bytes are not a mail at all."""
    if not raw or not raw.strip():
        raise ValueError("empty message")
    msg: EmailMessage = email.message_from_bytes(raw, policy=policy.default)
    mail = ParsedMail()
    hint = _charset_hint(msg)
    mail.subject = _header(msg, "Subject", hint)
    mail.from_name, mail.from_address = _address(msg, hint)
    mail.to = _addresses(msg, "to")
    mail.cc = _addresses(msg, "cc")
    mail.message_id = next(iter(_ids(_raw_header(msg, "Message-ID"))), "")
    mail.in_reply_to = next(iter(_ids(_raw_header(msg, "In-Reply-To"))), "")
    mail.references = _ids(_raw_header(msg, "References"))
    mail.content_type = _content_type(msg)
    for key in (
        "auto-submitted",
        "x-autoreply",
        "x-autorespond",
        "precedence",
        "x-auto-response-suppress",
        "return-path",
        "x-failed-recipients",
        "list-id",
    ):
        value = _raw_header(msg, key)
        if value:
            mail.headers[key] = _clean(value)
    found = _TICKET_TAG.search(mail.subject)
    if found:
        mail.ticket_number = int(found.group(1))
    try:
        _walk(msg, mail)
    except Exception as exc:  # a broken structure: keep what we have, say so
        mail.warnings.append(f"MIME structure: {exc}")
    if not mail.text and mail.html:
        mail.text = html_to_text(mail.html)
    mail.text = mail.text.replace("\r\n", "\n").strip()
    if mail.content_type == "multipart/report" or _is_daemon(mail.from_address):
        mail.bounce_of = _bounced_message_id(msg)
    return mail


def _charset_hint(msg: Message) -> str | None:
    """The first charset the body declares: the best guess for raw 8-bit headers."""
    try:
        for part in msg.walk():
            charset = part.get_content_charset()
            if charset:
                return charset
    except Exception:
        return None
    return None


def _is_daemon(address: str) -> bool:
    local = address.partition("@")[0].lower()
    return local in {"mailer-daemon", "postmaster"}


def _bounced_message_id(msg: Message) -> str:
    """The Message-ID of the original mail inside a delivery report, when it is included."""
    for part in msg.walk():
        ctype = _content_type(part)
        if ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                found = _ids(_raw_header(payload[0], "Message-ID"))
            else:
                text = payload if isinstance(payload, str) else _part_text(part)
                match = re.search(r"^Message-ID:\s*(<[^>]+>)", text, re.I | re.M)
                found = [match.group(1)] if match else []
            if found:
                return found[0]
    return ""


def fallback_message_id(raw: bytes) -> str:
    """A stable id for mails without a Message-ID, so fetching them twice still stores them once."""
    return f"<sha256-{hashlib.sha256(raw).hexdigest()[:40]}@kefu.invalid>"
