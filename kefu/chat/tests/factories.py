import factory

from kefu.chat.models import ChatSite, ChatTopic


class ChatSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatSite

    name = factory.Sequence(lambda n: f"Shop {n}")
    key = factory.Sequence(lambda n: f"site{n}key")
    allowed_origins = factory.LazyFunction(lambda: ["https://shop.example.com"])


class ChatTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatTopic

    site = factory.SubFactory(ChatSiteFactory)
    name = factory.Sequence(lambda n: f"话题{n}")
