"""Request parsers whose errors a client can act on, in the request's language."""

import codecs
import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

_POSITION = re.compile(r"line (\d+) column (\d+)")


class KefuJSONParser(JSONParser):
    """DRF's JSON parser, but a malformed body says where it broke, translated, without Python internals."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError:
            raise ParseError(_("The request body is not valid UTF-8 text."))
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            position = _POSITION.search(str(exc))
            if position:
                raise ParseError(
                    _("The request body is not valid JSON (line %(line)s, column %(column)s).")
                    % {"line": position.group(1), "column": position.group(2)}
                )
            raise ParseError(_("The request body is not valid JSON."))


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")
