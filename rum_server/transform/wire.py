"""Wire format v1: the JSON batch the snippet sends to ``POST /__deco/rum``.

Keys are short because every byte of the snippet counts; ``docs/wire.md``
names each one. Rules for evolving it: a new field always has a default (old
snippets keep working), a field is never repurposed, and a breaking change
bumps ``v``. The decoder is strict (no type coercion) and module-level so it
is built once per process.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

WIRE_VERSION = 1
MAX_EVENTS = 200

# Reusable constraints. msgspec patterns are searches, so they are anchored.
Short = Annotated[str, Meta(max_length=64)]
Name = Annotated[str, Meta(min_length=1, max_length=64)]
Label = Annotated[str, Meta(max_length=128)]
Url = Annotated[str, Meta(max_length=2048)]
Text = Annotated[str, Meta(max_length=2048)]
Stack = Annotated[str, Meta(max_length=8192)]
Id = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
SiteId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
EpochMs = Annotated[float, Meta(ge=0, le=1e14)]
Milliseconds = Annotated[float, Meta(ge=0, le=600_000)]
SignedMilliseconds = Annotated[float, Meta(ge=-600_000, le=600_000)]
SampleRate = Annotated[float, Meta(gt=0, le=1)]
Count = Annotated[int, Meta(ge=1, le=1_000_000)]
LineNumber = Annotated[int, Meta(ge=0, le=10_000_000)]
Context = Annotated[str, Meta(max_length=128)]
"""Optional page context the server checks itself (rows.py): a malformed value is dropped
and the batch kept, because a page's bad meta tag must not cost its whole beacon."""
AttrValue = Annotated[str, Meta(max_length=1024)]
SmallMap = Annotated[dict[Label, AttrValue], Meta(max_length=16)]

MetricName = Literal["LCP", "CLS", "INP", "FCP", "TTFB", "FID"]
NavigationType = Literal[
    "navigate",
    "reload",
    "back-forward",
    "back-forward-cache",
    "prerender",
    "restore",
    "soft-navigation",
]
ErrorSource = Literal["error", "unhandledrejection"]


class WebVital(
    msgspec.Struct, tag="web_vital", tag_field="t", forbid_unknown_fields=True, gc=False
):
    """One report of a Web Vital. ``v`` is ms, or unitless for CLS (bounded below)."""

    ts: EpochMs
    name: MetricName
    v: Milliseconds
    id: Id
    d: SignedMilliseconds | None = None
    attr: SmallMap | None = None


class Error(msgspec.Struct, tag="error", tag_field="t", forbid_unknown_fields=True, gc=False):
    """A distinct JS error in a page view; repeats are counted in ``n``, not resent."""

    ts: EpochMs
    msg: Text
    type: Label = "Error"
    stack: Stack = ""
    fp: Short = ""
    n: Count = 1
    src: ErrorSource = "error"
    file: Url = ""
    line: LineNumber = 0
    col: LineNumber = 0


class PageView(
    msgspec.Struct, tag="page_view", tag_field="t", forbid_unknown_fields=True, gc=False
):
    """The start of a page view (hard load, bfcache restore or soft navigation)."""

    ts: EpochMs


class CustomEvent(msgspec.Struct, tag="event", tag_field="t", forbid_unknown_fields=True, gc=False):
    """A business event from ``DECO_RUM.track(name, attrs, labels)``."""

    ts: EpochMs
    name: Name
    attrs: SmallMap | None = None
    labels: SmallMap | None = None


# The resource-timing rollup (rum.attribution.js): bounded here, keys checked in rows.py.
RequestCount = Annotated[int, Meta(ge=0, le=100_000)]
TransferBytes = Annotated[int, Meta(ge=0, le=10**12)]
RequestCounts = Annotated[
    dict[Annotated[str, Meta(max_length=256)], tuple[RequestCount, TransferBytes]],
    Meta(max_length=16),
]
SlowResource = tuple[Annotated[str, Meta(max_length=8192)], Annotated[float, Meta(ge=0, le=1e9)]]


class Resources(
    msgspec.Struct, tag="resources", tag_field="t", forbid_unknown_fields=True, gc=False
):
    """A page view's resource-timing rollup, sent once when it is hidden (docs/wire.md)."""

    ts: EpochMs
    n: RequestCount
    b: TransferBytes = 0
    c: RequestCount = 0
    rb: RequestCount = 0
    i: RequestCounts | None = None
    ct: RequestCounts | None = None
    h: RequestCounts | None = None
    s: Annotated[list[SlowResource], Meta(max_length=5)] | None = None


Event = WebVital | Error | PageView | CustomEvent | Resources


class Envelope(msgspec.Struct, kw_only=True, gc=False):
    """Page and session context, sent once per batch.

    Unknown envelope fields are ignored (a newer snippet may add context);
    unknown fields inside events are rejected per event.
    """

    v: Annotated[int, Meta(ge=1, le=WIRE_VERSION)]
    site: SiteId
    url: Url
    pv: Id
    sid: Id
    st: EpochMs
    route: Annotated[str, Meta(max_length=256)] = ""
    ref: Url = ""
    nav: NavigationType = "navigate"
    rate: SampleRate = 1.0
    vp: Context = ""
    conn: Annotated[str, Meta(max_length=16)] = ""
    rid: Label = ""
    ray: Label = ""
    tp: Context = ""
    sv: Short = ""
    ver: Label = ""
    env: Short = ""
    uh: Context = ""


class Batch(Envelope, kw_only=True):
    """What the server decodes: events stay raw so one bad event rejects only itself."""

    events: Annotated[list[msgspec.Raw], Meta(min_length=1, max_length=MAX_EVENTS)]


class TypedBatch(Envelope, kw_only=True):
    """The same batch with typed events: the published JSON Schema."""

    events: Annotated[list[Event], Meta(min_length=1, max_length=MAX_EVENTS)]


MAX_NESTING = 16
"""A valid batch nests 4 deep (batch, events, event, attrs); unknown envelope fields may
add a little. Deeper JSON is refused before decoding, which would otherwise recurse."""
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _depth_over(brackets: bytes, limit: int) -> bool | None:
    """Peel innermost ``[]``/``{}`` pairs, one level per round. Unpaired brackets give None
    (a syntax error the decoder names), or True when there are more than ``limit`` of them
    (the decoder would recurse through them before it saw the error)."""
    for _ in range(limit):
        if not brackets:
            return False
        peeled = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(peeled) == len(brackets):
            return True if len(brackets) > limit else None
        brackets = peeled
    return bool(brackets)


def nesting_too_deep(body: bytes, limit: int = MAX_NESTING) -> bool:
    """True when the JSON nests deeper than ``limit`` levels.

    Cheap first: the brackets alone, strings ignored (C-level ``translate`` and
    ``replace``, about four rounds for a valid batch). Only when that count is over the
    limit or unpaired (a ``[`` inside a string) are strings removed for the exact count.
    The decoder's own recursion guard stays behind this as the last line.
    """
    quick = _depth_over(body.translate(None, _NOT_BRACKETS), limit)
    if quick is False:
        return False
    exact = _depth_over(_JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS), limit)
    return exact is True


batch_decoder = msgspec.json.Decoder(Batch)
"""Strict decoder for the envelope; events stay raw so one bad event rejects only itself."""

typed_batch_decoder = msgspec.json.Decoder(TypedBatch)
"""The fast path: a batch whose events are all valid decodes in one call."""

event_decoder = msgspec.json.Decoder(Event)
"""Strict decoder for one event of the tagged union."""


def json_schema() -> dict[str, object]:
    """The published JSON Schema of a batch (``docs/wire.schema.json``)."""
    return msgspec.json.schema(TypedBatch)


if __name__ == "__main__":
    import json
    import sys

    json.dump(json_schema(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
