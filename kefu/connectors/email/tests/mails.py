"""Small hand-written mails for the tests (raw bytes, as they arrive over IMAP)."""

from email.message import EmailMessage
from email.utils import make_msgid


def build_mail(
    *,
    subject: str = "打印机坏了",
    sender: str = "张三 <zhang@example.com>",
    to: str = "support0@kefu.example",
    text: str = "你好，打印机不能用了。",
    html: str = "",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> bytes:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = sender
    mail["To"] = to
    mail["Message-ID"] = message_id or make_msgid(domain="example.com")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = references
    for key, value in (headers or {}).items():
        mail[key] = value
    mail.set_content(text)
    if html:
        mail.add_alternative(html, subtype="html")
    for name, data, ctype in attachments:
        maintype, _, subtype = ctype.partition("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()
