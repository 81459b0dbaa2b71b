"""A chat message and the frame built from it are freed by reference counting the moment they are dropped:
no reference cycle per message for the cyclic GC to find (at thousands of sockets its walks paused the
event loop; see `make bench` chat)."""

import gc
import weakref

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.chat import services
from kefu.chat.models import ChatMessage
from kefu.connectors.webchat.files import frame


@pytest.fixture
def no_cyclic_gc():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.django_db(transaction=True)
def test_a_stored_and_pushed_text_message_is_freed_without_the_cyclic_gc(site, no_cyclic_gc):
    conversation = services.start_conversation(site=site, visitor_id="v1", text="在吗")
    posted = services.post_visitor_message(conversation=conversation, text="订单没到", client_id="c1")
    data = frame(posted.message)
    gone = weakref.ref(posted.message)
    del posted

    assert gone() is None
    assert "file" not in data


@pytest.mark.django_db(transaction=True)
def test_a_message_with_a_file_is_freed_without_the_cyclic_gc_and_still_links_its_file(
    site, no_cyclic_gc, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    conversation = services.start_conversation(site=site, visitor_id="v1", text="在吗")
    message = ChatMessage(conversation=conversation, author_kind="visitor", attachment_name="a.png",
                          attachment_type="image/png", attachment_size=4)  # fmt: skip
    message.attachment = SimpleUploadedFile("a.png", b"\x89PNG")
    message.save()
    data = frame(message)
    stored = ChatMessage.objects.get(pk=message.pk)
    gone = weakref.ref(message)
    del message

    assert gone() is None
    assert data["file"]["url"].startswith("/")
    assert data["file"]["name"] == "a.png"
    assert stored.attachment.read() == b"\x89PNG"
