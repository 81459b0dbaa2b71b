"""What a customer does in the self-service portal: sign up, ask for a login link, submit and follow tickets.

Sign-up never trusts an address it has not seen answered: the new login stays inactive until the link
mailed to the address is opened, because an existing customer's earlier tickets (from e-mail, say)
become visible to whoever holds the login. Login links are signed, expire after 30 minutes and stop
working once used (the signature covers the user's last login and password hash, which a login changes).
Every answer about an address is the same whether it is known or not: no account enumeration.
"""

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.accounts import services as account_services
from kefu.accounts.rules import clean_display_name
from kefu.audit.services import record
from kefu.core import clock
from kefu.core.errors import DomainError, InvalidInput, NotFound
from kefu.core.throttle import count_hit
from kefu.customers.models import Customer, IdentityKind
from kefu.customers.rules import normalize_identity
from kefu.customers.services import find_customer, find_or_create_customer
from kefu.intake.services import InboundMessage, ingest
from kefu.tickets import services as ticket_services
from kefu.tickets.attachments import IncomingFile
from kefu.tickets.models import Category, Message, Ticket

LOGIN_LINK_MAX_AGE = 30 * 60  # seconds a mailed login link stays valid
LOGIN_LINK_SALT = "kefu.portal.login-link"
THROTTLE_WINDOW = 15 * 60
THROTTLE_PER_EMAIL = 3  # login-link / sign-up mails per address per window
THROTTLE_PER_IP = 10  # requests per client address per window
MAX_ATTACHMENTS = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FORM_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class Throttled(DomainError):
    status_code = 429
    default_message = gettext_lazy("Too many requests. Please wait a few minutes and try again.")


class LinkInvalid(DomainError):
    default_message = gettext_lazy("This link has expired or is not valid. Ask for a new one.")


# --- sign-up and login links ---------------------------------------------------------------------


def sign_up(*, name: str, email: str, password: str, language: str, client_ip: str = "") -> None:
    """Register a portal login for `email` and mail a confirmation link; the same outcome for known addresses.

    A new address gets a new customer; a customer known from earlier contact (e-mail, chat …) without a
    login gets one linked. The login stays inactive until the mailed link is opened. An address that
    already has a login gets a sign-in link instead, so the answer reveals nothing about who is registered.
    """
    name = clean_display_name(name)  # zero-width or control characters alone are no name
    email = _clean_email(email)
    if not name:
        raise InvalidInput(_("Please enter your name."), field="name")
    # The same checks whoever owns the address, so an error never tells a registered address apart.
    _check_password(password, get_user_model()(username=email, email=email, display_name=name))
    _throttle(email=email, client_ip=client_ip)
    with transaction.atomic():
        customer = find_or_create_customer(kind=IdentityKind.EMAIL, value=email, name=name, language=language)
        user = customer.user
        if user is None:
            user = _new_user(customer=customer, email=email, name=name, password=password, active=False)
            user = _link_user(customer=customer, user=user)
        elif _is_pending(user):
            # An unconfirmed earlier sign-up: the newest one wins; its link voids the older ones.
            user.set_password(password)
            user.display_name = name
            user.save(update_fields=["password", "display_name"])
    if user.is_staff or (not user.is_active and not _is_pending(user)):
        return  # staff accounts and logins an admin switched off never get portal links
    _send_login_link(customer=customer, user=user, purpose="confirm" if _is_pending(user) else "existing")


def request_login_link(*, email: str, client_ip: str = "") -> None:
    """Mail a one-time login link if a customer has this address; say nothing either way."""
    email = _clean_email(email)
    _throttle(email=email, client_ip=client_ip)
    customer = find_customer(kind=IdentityKind.EMAIL, value=email)
    if customer is None:
        return
    user = customer.user
    if user is None:
        with transaction.atomic():
            user = _link_user(
                customer=customer,
                user=_new_user(
                    customer=customer, email=email, name=customer.name, password=None, active=True
                ),
            )
    if user.is_staff or (not user.is_active and not _is_pending(user)):
        return
    _send_login_link(customer=customer, user=user, purpose="confirm" if _is_pending(user) else "login")


def make_login_token(*, user) -> str:
    """A signed, timestamped token naming the user and the state a login will change."""
    return signing.TimestampSigner(salt=LOGIN_LINK_SALT).sign(f"{user.pk}:{_fingerprint(user)}")


def check_login_token(*, token: str):
    """The portal user a login token names, if it is authentic, fresh and unused; else LinkInvalid."""
    user_id, fingerprint = _unsign(token)
    user = get_user_model().objects.filter(pk=user_id, is_staff=False).first()
    _verify(user, fingerprint)
    return user


def redeem_login_token(*, token: str):
    """Use a login link once: confirm a new login, stamp the login time (voiding the link), return the user.

    The caller logs the user in. Two requests racing with one link: the row lock lets only one through.
    """
    user_id, fingerprint = _unsign(token)
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().filter(pk=user_id, is_staff=False).first()
        _verify(user, fingerprint)
        confirming = not user.is_active
        user.is_active = True
        user.last_login = clock.now()
        user.save(update_fields=["is_active", "last_login"])
        record(actor=user, action="portal.confirm_email" if confirming else "portal.login_link", obj=user)
    return user


def _unsign(token: str) -> tuple[int, str]:
    try:
        value = signing.TimestampSigner(salt=LOGIN_LINK_SALT).unsign(token, max_age=LOGIN_LINK_MAX_AGE)
        user_id, fingerprint = value.split(":", 1)
        return int(user_id), fingerprint
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid()


def _verify(user, fingerprint: str) -> None:
    if user is None or not constant_time_compare(fingerprint, _fingerprint(user)):
        raise LinkInvalid()
    if not user.is_active and not _is_pending(user):
        raise LinkInvalid()
    if not Customer.objects.filter(user=user).exists():
        raise LinkInvalid()


def set_language(*, user, language: str):
    """A portal customer picks a language: pages and the mails we send them use it from now on."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Unknown language."), field="language")
    with transaction.atomic():
        account_services.set_language(user=user, language=language)
        Customer.objects.filter(user=user).exclude(language=language).update(language=language)
    return user


# --- tickets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    ticket: Ticket
    duplicate: bool  # the same form was sent before; nothing new was stored


def new_form_token() -> str:
    """A one-time id put in every ticket and reply form; sending the form twice stores it once."""
    return uuid.uuid4().hex


def submit_ticket(
    *,
    customer: Customer,
    subject: str,
    text: str,
    form_token: str,
    category: Category | None = None,
    custom_fields: dict | None = None,
    attachments: Sequence = (),
) -> Submission:
    """Open a ticket from the portal's form through intake; a resent form returns the first ticket."""
    if not customer.email:
        raise InvalidInput(_("Your profile has no e-mail address; please contact us another way."))
    if not (text or "").strip():
        raise InvalidInput(_("Please describe your issue."), field="text")
    files = _incoming(attachments)
    result = ingest(
        InboundMessage(
            channel="web",
            identity_kind=IdentityKind.EMAIL,
            identity_value=customer.email,
            name=customer.name,
            subject=subject,
            text=text,
            attachments=files,
            external_id=_external_id(customer, form_token),
            category_code=category.code if category else "",
            custom_fields=custom_fields or {},
        ),
        reopen_closed=False,
    )
    if result.ticket.customer_id != customer.pk:
        raise NotFound()
    return Submission(result.ticket, duplicate=result.duplicate)


def reply_to_ticket(
    *, ticket: Ticket, customer: Customer, user, text: str, form_token: str, attachments: Sequence = ()
) -> Message:
    """The customer writes on their own ticket (reopening it if solved); a resent form stores nothing new."""
    if ticket.customer_id != customer.pk:
        raise NotFound()
    external_id = _external_id(customer, form_token)
    previous = Message.objects.filter(channel="web", external_id=external_id).first()
    if previous is not None:
        return previous
    try:
        return ticket_services.add_customer_message(
            ticket=ticket,
            text=text,
            attachments=list(attachments),
            channel="web",
            external_id=external_id,
            author=user,
        )
    except IntegrityError:
        previous = Message.objects.filter(channel="web", external_id=external_id).first()
        if previous is None:
            raise
        return previous


def close_ticket(*, ticket: Ticket, customer: Customer) -> Ticket:
    """The customer says their issue is done."""
    if ticket.customer_id != customer.pk:
        raise NotFound()
    return ticket_services.close_by_customer(ticket=ticket, customer=customer)


# --- helpers ---------------------------------------------------------------------------------------


def _clean_email(email: str) -> str:
    email = normalize_identity(IdentityKind.EMAIL, email)
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput(_("Enter a valid e-mail address."), field="email")
    return email


def _throttle(*, email: str, client_ip: str) -> None:
    """Count this request against the address and the client; refuse beyond the limits."""
    keys = [(f"portal:mail:{_digest(email)}", THROTTLE_PER_EMAIL)]
    if client_ip:
        keys.append((f"portal:ip:{_digest(client_ip)}", THROTTLE_PER_IP))
    over = False
    for key, limit in keys:
        over = count_hit(key, window=THROTTLE_WINDOW) > limit or over
    if over:
        raise Throttled()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _is_pending(user) -> bool:
    """Signed up but never confirmed: inactive and never logged in."""
    return not user.is_active and user.last_login is None


def _fingerprint(user) -> str:
    """Changes when the user logs in, changes password, is confirmed or changes address."""
    login = user.last_login.replace(microsecond=0, tzinfo=None).isoformat() if user.last_login else ""
    state = f"{user.pk}|{user.password}|{login}|{user.is_active}|{user.email}"
    return salted_hmac(LOGIN_LINK_SALT, state, algorithm="sha256").hexdigest()[:32]


def _check_password(password: str, user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password")


def _new_user(*, customer: Customer, email: str, name: str, password: str | None, active: bool):
    """A non-staff login for the customer; the e-mail address is the user name when it is free."""
    user_model = get_user_model()
    username = email if len(email) <= 150 and not user_model.objects.filter(username=email).exists() else ""
    user = user_model(
        username=username or f"customer-{customer.pk}-{uuid.uuid4().hex[:8]}",
        email=email,
        display_name=(name or customer.name)[:100],
        is_staff=False,
        is_active=active,
        language=customer.language,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def _link_user(*, customer: Customer, user):
    """Make `user` the customer's portal login unless another request linked one first (then use that)."""
    linked = Customer.objects.filter(pk=customer.pk, user__isnull=True).update(user=user)
    if not linked:
        user.delete()
        customer.refresh_from_db(fields=["user"])
        return customer.user
    customer.user = user
    record(actor=None, action="customer.link_portal_login", obj=customer, changes={"user": [None, user.pk]})
    return user


def _send_login_link(*, customer: Customer, user, purpose: str) -> None:
    """Mail the link in the customer's language; `purpose` is confirm, login or existing (sign-up again)."""
    link = settings.SITE_URL + reverse("portal:login_link", args=[make_login_token(user=user)])
    address = customer.email or user.email
    language = customer.language if customer.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    context = {"name": customer.name, "link": link, "purpose": purpose, "minutes": LOGIN_LINK_MAX_AGE // 60}
    with translation.override(language):
        subject = " ".join(render_to_string("portal/email/login_link_subject.txt", context).split())
        text = render_to_string("portal/email/login_link.txt", context)
        html = render_to_string("portal/email/login_link.html", context)
    # Sent after commit: a rolled-back sign-up never mails a link to a login that does not exist.
    # robust: a mail server that is down is logged, never a 500 and never a rolled-back sign-up.
    transaction.on_commit(lambda: send_mail(subject, text, None, [address], html_message=html), robust=True)


def _external_id(customer: Customer, form_token: str) -> str:
    if not _FORM_TOKEN.match(form_token or ""):
        raise InvalidInput(_("The form has expired. Please reload the page and send it again."))
    return f"portal:{customer.pk}:{form_token}"


def _incoming(files: Sequence) -> tuple[IncomingFile, ...]:
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(
            _("At most %(count)d files can be attached.") % {"count": MAX_ATTACHMENTS}, field="attachments"
        )
    incoming = []
    for f in files:
        if isinstance(f, IncomingFile):
            incoming.append(f)
            continue
        f.seek(0)
        incoming.append(
            IncomingFile(name=f.name, content=f.read(), content_type=getattr(f, "content_type", ""))
        )
    return tuple(incoming)
