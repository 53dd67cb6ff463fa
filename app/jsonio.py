"""JSON read strictly: NaN and Infinity are refused, and a body nested too deeply to parse is a
malformed body (400 from Flask's request.get_json), never a RecursionError (500)."""
from __future__ import annotations

from flask.json.provider import DefaultJSONProvider


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


class StrictJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _refuse_constant)
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None
