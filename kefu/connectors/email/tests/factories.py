import factory

from kefu.connectors.email.models import Mailbox


class MailboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailbox

    name = factory.Sequence(lambda n: f"support-{n}")
    host = "127.0.0.1"
    port = 143
    use_tls = False
    username = "support"
    password = "secret"
    from_address = factory.Sequence(lambda n: f"support{n}@kefu.example")
    from_name = "Kefu 客服"
