"""The parser turns raw, often broken, mail into subject, sender, bodies, attachments and thread hints."""

from kefu.connectors.email import filters
from kefu.connectors.email.parse import decode_bytes, decode_header_value, parse

from .mails import build_mail


def test_rfc2047_subject_and_sender_name_are_decoded():
    """Given encoded-word headers in GB2312 and UTF-8, when parsed, then the Chinese text comes out."""
    raw = (
        b"From: =?gb2312?B?1cXI/Q==?= <zhang@example.com>\r\n"
        b"Subject: =?utf-8?B?5omT5Y2w5py65Z2P5LqG?=\r\n"
        b"Message-ID: <a1@example.com>\r\n\r\nbody\r\n"
    )
    mail = parse(raw)
    assert mail.subject == "打印机坏了"
    assert mail.from_name == "张三"
    assert mail.from_address == "zhang@example.com"
    assert mail.message_id == "<a1@example.com>"


def test_gbk_text_labelled_gb2312_is_decoded_as_gb18030():
    """Given a body in GBK characters beyond GB2312 but labelled gb2312, then it decodes without loss."""
    text = "镕基说：喆"  # 镕 and 喆 are not in GB2312
    raw = (
        b"From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=gb2312\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + text.encode("gbk")
    )
    assert parse(raw).text == text


def test_wrong_charset_label_falls_back_without_raising():
    """Given UTF-8 bytes labelled with an unknown charset, then the text is still readable."""
    assert decode_bytes("客服".encode(), "x-unknown-charset") == "客服"
    assert decode_bytes(b"\xff\xfe\xfa", "utf-8")  # nothing raises; something is returned


def test_raw_8bit_subject_uses_the_body_charset():
    """Given an unencoded GB2312 subject and a gb2312 body, then the subject is decoded with that charset."""
    raw = (
        b"From: a@example.com\r\nSubject: " + "退款申请".encode("gb2312") + b"\r\n"
        b"Content-Type: text/plain; charset=gb2312\r\n\r\n" + "请退款".encode("gb2312")
    )
    mail = parse(raw)
    assert mail.subject == "退款申请"
    assert mail.text == "请退款"


def test_rfc2231_attachment_name_and_inline_image_content_id():
    """Given an RFC 2231 file name and an inline image, then both names and the content id are kept."""
    raw = (
        b"From: a@example.com\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee files\r\n"
        b"--XX\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n"
        b"--XX\r\nContent-Type: image/png\r\nContent-ID: <img1@x>\r\nContent-Disposition: inline\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0=\r\n--XX--\r\n"
    )
    mail = parse(raw)
    assert [a.name for a in mail.attachments] == ["发票.pdf", "part-2.png"]
    assert mail.attachments[0].content == b"%PDF-"
    assert mail.attachments[1].content_id == "img1@x"


def test_thread_hints_root_message_id_and_ticket_number_in_subject():
    """Given References and a [Kefu #123] tag, then the root Message-ID and the number are found."""
    raw = build_mail(
        subject="Re: 打印机坏了 [Kefu #123]",
        message_id="<c@x>",
        in_reply_to="<b@x>",
        references="<a@x> <b@x>",
    )
    mail = parse(raw)
    assert mail.thread_root == "<a@x>"
    assert mail.ticket_number == 123
    assert parse(build_mail(subject="Re: hi [#7]")).ticket_number == 7


def test_html_only_mail_gets_a_text_body():
    """Given only an HTML part, then a plain-text body is derived from it."""
    raw = (
        b"From: a@example.com\r\nSubject: h\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Hello <b>there</b></p>"
    )
    mail = parse(raw)
    assert "Hello" in mail.text and "<b>" not in mail.text
    assert "<b>there</b>" in mail.html


def test_mail_without_content_type_is_plain_text():
    """Given no Content-Type at all, then the body is read as text."""
    assert parse(b"From: a@example.com\r\nSubject: s\r\n\r\njust text\r\n").text == "just text"


def test_encoded_word_header_decoder_never_raises_on_garbage():
    """Given malformed encoded words, then a string is returned."""
    assert isinstance(decode_header_value("=?bogus?Q?=ZZ=?= tail"), str)


def test_filters_flag_auto_replies_bounces_and_own_mail():
    """Given auto-reply headers, a DSN from MAILER-DAEMON and mail from our own address, then each is flagged."""
    own = ["support0@kefu.example"]
    for header, value in [
        ("Auto-Submitted", "auto-replied"),
        ("X-Autoreply", "yes"),
        ("Precedence", "bulk"),
        ("X-Auto-Response-Suppress", "All"),
    ]:
        assert filters.run_filters(parse(build_mail(headers={header: value})), own) == [filters.AUTO_REPLY]
    bounce = parse(build_mail(sender="MAILER-DAEMON@mx.example.com", subject="Undelivered Mail"))
    assert filters.run_filters(bounce, own) == [filters.BOUNCE]
    mine = parse(build_mail(sender="Kefu <support0@kefu.example>"))
    assert filters.run_filters(mine, own) == [filters.OWN_LOOP]
    normal = parse(build_mail(headers={"Auto-Submitted": "no"}))
    assert filters.run_filters(normal, own) == []


def test_chinese_mail_mislabelled_as_utf8_is_read_as_gb18030():
    """Given GBK bytes labelled utf-8, then they decode as Chinese; Latin-1 labels never turn into Chinese."""
    assert decode_bytes("请退款".encode("gbk"), "utf-8") == "请退款"
    assert decode_bytes("café\x81".encode("latin-1"), "iso-8859-1") == "café\x81"
