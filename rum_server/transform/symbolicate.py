"""Minified stack → original source: parse the frames, map each through its release's map.

Pure: the maps come from a ``lookup`` the caller passes in (the ingest path and the
reports use :class:`rum_server.sourcemaps.store.MapCache`), and time is bounded by a deadline
the caller gives, so a stack never costs more than its budget however bad its maps are.
Frames in V8 (``at fn (url:line:col)``) and SpiderMonkey/JavaScriptCore
(``fn@url:line:col``) forms are understood; the symbolicated stack is written in V8 form.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from symbolic.sourcemap import SourceMapView, SourceView

MAX_FRAMES = 50
"""Frames past this many are kept as they are, unmapped."""

_V8_FRAME = re.compile(
    r"^\s*at (?:(?P<fn>[^()]*?) \()?(?P<url>[^\s()]+?):(?P<line>\d+):(?P<col>\d+)\)?\s*$"
)
_GECKO_FRAME = re.compile(r"^\s*(?P<fn>[^@\s]*)@(?P<url>\S+?):(?P<line>\d+):(?P<col>\d+)\s*$")
_ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
_LEADING_DOTS = re.compile(r"^(?:\.{1,2}/)+")
_BUNDLER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^/]*/)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedMap:
    """A parsed map, with the minified file when it was uploaded (for function names)."""

    view: SourceMapView
    minified: SourceView | None = None


@dataclass(frozen=True, slots=True)
class Frame:
    """One stack frame; ``mapped`` when it was read through a source map."""

    function: str
    file: str
    line: int
    column: int
    mapped: bool = False

    def text(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"    at {self.function} ({where})" if self.function else f"    at {where}"

    @property
    def in_app(self) -> bool:
        """The site's own code: a mapped frame outside third-party packages."""
        return self.mapped and "node_modules/" not in self.file


@dataclass(frozen=True, slots=True)
class Symbolicated:
    """The stack as text, its frames, and how many of them a map resolved."""

    stack: str
    frames: tuple[Frame, ...]
    mapped: int
    complete: bool = True
    """False when the budget ran out first (some maps may not have been waited for)."""

    @property
    def top_in_app(self) -> Frame | None:
        return next((frame for frame in self.frames if frame.in_app), None)


StackSymbolicator = Callable[[str, str, str], "Symbolicated | None"]
"""(stack, site, release) → the symbolicated stack, or None when nothing could apply."""

MapLookup = Callable[[str, float], ParsedMap | None]
"""(script URL, seconds it may wait) → the parsed map of that script, or None."""


def path_of(url: str) -> str:
    """The path of a URL, without origin, query or fragment. Not ``urlsplit``: stored URLs
    have redacted hosts (``http://[ip]:8000/app.js``), which it refuses."""
    return _ORIGIN.sub("", url).split("?", 1)[0].split("#", 1)[0]


def parse_frame(line: str) -> Frame | None:
    match = _V8_FRAME.match(line) or _GECKO_FRAME.match(line)
    if match is None:
        return None
    function = (match["fn"] or "").removeprefix("async ").removeprefix("new ").strip()
    return Frame(function, match["url"], int(match["line"]), int(match["col"]))


def parse_frames(stack: str) -> list[Frame]:
    """The frames of a stack, top first (lines that are not frames are skipped)."""
    return [frame for line in stack.splitlines() if (frame := parse_frame(line))]


def clean_source(source: str) -> str:
    """A map's source name as a reader wants it: ``../src/cart/x.ts`` → ``src/cart/x.ts``,
    ``webpack://shop/./src/x.ts`` → ``src/x.ts``."""
    source = _BUNDLER_SCHEME.sub("", source)
    return _LEADING_DOTS.sub("", source.removeprefix("./")) or source


def map_frame(frame: Frame, parsed: ParsedMap) -> Frame:
    """The original position and function of one minified frame (itself if not covered)."""
    minified_name = frame.function.rsplit(".", 1)[-1] or None
    token = parsed.view.lookup(
        max(frame.line - 1, 0), max(frame.column - 1, 0), minified_name, parsed.minified
    )
    if token is None or not token.src:
        return frame
    return Frame(
        function=token.function_name or frame.function,
        file=clean_source(token.src),
        line=token.src_line + 1,
        column=token.src_col + 1,
        mapped=True,
    )


def symbolicate(stack: str, lookup: MapLookup, budget_seconds: float) -> Symbolicated:
    """Map every frame the release has a map for, within ``budget_seconds`` in all.

    Lines that are not frames (the ``Type: message`` header) are kept as they are; a
    frame whose map is missing, broken or not ready within the budget stays minified.
    """
    deadline = time.monotonic() + budget_seconds
    lines = []
    frames: list[Frame] = []
    mapped = 0
    for line in stack.splitlines():
        frame = parse_frame(line)
        if frame is None:
            lines.append(line)
            continue
        remaining = deadline - time.monotonic()
        if len(frames) < MAX_FRAMES and remaining > 0:
            parsed = lookup(frame.file, remaining)
            if parsed is not None:
                frame = map_frame(frame, parsed)
        frames.append(frame)
        mapped += frame.mapped
        lines.append(frame.text() if frame.mapped else line)
    complete = time.monotonic() < deadline
    return Symbolicated("\n".join(lines), tuple(frames), mapped, complete)
