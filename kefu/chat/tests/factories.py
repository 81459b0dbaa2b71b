import factory

from kefu.chat.models import ChatSite


class ChatSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatSite

    name = factory.Sequence(lambda n: f"Shop {n}")
    key = factory.Sequence(lambda n: f"site{n}key")
    allowed_origins = factory.LazyFunction(lambda: ["https://shop.example.com"])
