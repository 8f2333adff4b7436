"""The ``rum.route`` of a page: the pattern the page declares, else its path with ids collapsed.

Analysts group by route, so its cardinality must stay bounded. The page's own
pattern (``data-route``, e.g. ``/_products/$slug/p``) is the best route and is
kept as given. Without one, the path is split into segments and only clearly
dynamic segments are replaced, so human paths (``/feminino/vestidos``) stay
readable:

- ``:uuid``: ``8-4-4-4-12`` hex digits;
- ``:date``: an ISO date, ``2026-11-29`` (a time may follow ``T``);
- ``:email``: ``name@host.tld``;
- ``:id``: digits, or digit groups joined by ``-_.,``, maybe after a ``+``
  (``12345``, ``1234567890123-01``, a CPF ``123.456.789-09``, a phone
  ``+5511999999999``);
- ``:hash``: 8 or more hex digits, with at least one digit and one letter;
- ``:id``: a segment holding a run of 16 or more letters and digits that
  mixes both (base64, ULIDs, ``prod_01H8XZ…``);
- ``:slug``: the segment right before a final ``p``, unless already
  collapsed: VTEX and deco storefronts serve product pages at ``/{slug}/p``.

Rules apply to the percent-decoded segment, first match wins. All but the
slug rule need a digit or an ``@``, so elsewhere a segment of words is kept.

So ``/products/12345/p`` becomes ``/products/:id/p`` and
``/camiseta-polo-azul-12345/p`` becomes ``/:slug/p``, while a slug elsewhere
(``/blog/black-friday-2026``) is kept: it is a page, not an id, and the
snippet's ``data-route`` is the way to name patterns we cannot guess.

Case is kept. Empty segments (``//``) and the trailing slash go, except for
the root ``/``. A ``/`` encoded inside a segment stays ``%2F``; control
characters are dropped. At most 16 segments and 256 characters are kept; a
longer path ends in ``/*``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

MAX_ROUTE_LENGTH = 256
MAX_SEGMENTS = 16
TRUNCATED = "*"

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_NUMBER = re.compile(r"\+?\d+(?:[-_.,]\d+)*")
_HEX = re.compile(r"[0-9a-fA-F]{8,}")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]{16,}")
_EMAIL = re.compile(r"[^@\s/]+@[^@\s/]+\.[^@\s/]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HAS_DIGIT = re.compile(r"\d")
_MAYBE_DYNAMIC = re.compile(r"[\d@]")
_HAS_LETTER = re.compile(r"[A-Za-z]")

PRODUCT_PAGE_MARKER = "p"
"""VTEX and deco storefronts serve product pages at ``/{slug}/p``."""


def _is_mixed(text: str) -> bool:
    return bool(_HAS_DIGIT.search(text)) and bool(_HAS_LETTER.search(text))


def _placeholder(segment: str) -> str | None:
    """The placeholder for a dynamic segment, or None to keep it."""
    if not _MAYBE_DYNAMIC.search(segment):
        return None
    if _UUID.fullmatch(segment):
        return ":uuid"
    if _DATE.fullmatch(segment):
        return ":date"
    if _EMAIL.fullmatch(segment):
        return ":email"
    if _NUMBER.fullmatch(segment):
        return ":id"
    if _HEX.fullmatch(segment) and _is_mixed(segment):
        return ":hash"
    if any(_is_mixed(run) for run in _ALNUM_RUN.findall(segment)):
        return ":id"
    return None


def _decode(raw_segment: str) -> str:
    """Percent-decoded for reading, but a decoded ``/`` must not split the segment."""
    if "%" not in raw_segment and not _CONTROL.search(raw_segment):
        return raw_segment
    decoded = unquote(raw_segment.replace("%2F", "%252F").replace("%2f", "%252F"))
    return _CONTROL.sub("", decoded)


def _join_capped(segments: list[str]) -> str:
    if len(segments) > MAX_SEGMENTS:
        segments = [*segments[: MAX_SEGMENTS - 1], TRUNCATED]
    route = "/" + "/".join(segments)
    if len(route) <= MAX_ROUTE_LENGTH:
        return route
    room = MAX_ROUTE_LENGTH - len(TRUNCATED) - 1
    boundary = route.rfind("/", 0, room + 1)
    head = route[:boundary] if boundary > 0 else route[:room]
    return f"{head}/{TRUNCATED}"


def collapse_path(path: str) -> str:
    """The path with its dynamic segments replaced (see the module's table); never raises."""
    try:
        path = path.split("?", 1)[0].split("#", 1)[0]
        segments = [_decode(raw) for raw in path.split("/")]
        segments = [segment for segment in segments if segment]
        if not segments:
            return "/"
        collapsed = [_placeholder(segment) or segment for segment in segments]
        is_product_page = len(segments) >= 2 and segments[-1] == PRODUCT_PAGE_MARKER
        if is_product_page and collapsed[-2] == segments[-2]:
            collapsed[-2] = ":slug"
        return _join_capped(collapsed)
    except Exception:  # the route is a label: a bad one must not cost the batch
        return "/"


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:  # e.g. a malformed IPv6 host: the path is still after the host
        without_scheme = url.split("://", 1)[-1]
        slash = without_scheme.find("/")
        return without_scheme[slash:] if slash >= 0 else "/"


def route_for(route_hint: str, url: str) -> str:
    """The page's declared pattern (trimmed, at most 256 characters), else ``collapse_path``.

    Never raises; ``/`` when neither says anything.
    """
    try:
        hint = _CONTROL.sub("", route_hint).strip()
        if hint:
            return hint[:MAX_ROUTE_LENGTH]
        return collapse_path(_path_of(url.strip()))
    except Exception:  # the route is a label: a bad one must not cost the batch
        return "/"
