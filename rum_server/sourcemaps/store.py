"""Uploaded source maps on disk, and a bounded cache of the parsed ones.

A map is stored per (site, release = ``service.version``, URL path of the minified file),
optionally with the minified file itself (it lets symbolic name the original function
a frame is in). Everything lives under one configured directory: each name component
is either a strict, readable alphabet or base64url-encoded, so no site, release or path
a client or an operator passes can name a file outside it. Writes are atomic (a
temporary file, then a rename), so a running server reading the directory never sees
half a map, and a CLI upload is seen by the server at once (the cache is keyed by the
file's modification time and size).
"""

from __future__ import annotations

import base64
import logging
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from symbolic.exceptions import SymbolicError
from symbolic.sourcemap import SourceMapView, SourceView

from rum_server.transform.symbolicate import (
    ParsedMap,
    path_of,
)

log = logging.getLogger(__name__)

MAP_SUFFIX = ".map"
SOURCE_SUFFIX = ".js"
MAX_PATH_BYTES = 180
"""A URL path is stored base64url-encoded in one file name (255 bytes at most)."""
MAX_RELEASE_LENGTH = 128
INGEST_BUDGET_SECONDS = 0.05
"""At ingest, a stack waits at most this long for its maps (parsing goes on behind)."""
READ_BUDGET_SECONDS = 2.0
"""On read (reports, the API), a stack may wait this long for its maps."""
FIND_MEMO_SECONDS = 1.0
"""How long which file holds a script's map is remembered: an upload is used within it."""
_SITE = re.compile(r"(?!\.\.?$)[A-Za-z0-9._-]{1,64}")
_READABLE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+-]{0,99}")
_ENCODED_PREFIX = "~"


class SourceMapError(ValueError):
    """A map, or where it should go, is not acceptable; the message says why (a 4xx)."""


@dataclass(frozen=True, slots=True)
class MapEntry:
    """One stored map, as ``list`` shows it."""

    site: str
    release: str
    path: str
    size: int
    uploaded: str
    with_source: bool


@dataclass(frozen=True, slots=True)
class MapFile:
    """Where a stored map's files are, and the version (mtime, size) the cache is keyed by."""

    map_file: Path
    source_file: Path | None
    version: tuple[int, int]


def _encode(text: str) -> str:
    return _ENCODED_PREFIX + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(name: str) -> str:
    if not name.startswith(_ENCODED_PREFIX):
        return name
    raw = name[len(_ENCODED_PREFIX) :]
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()


def _component(text: str) -> str:
    """A directory name for a site or release: itself when plainly safe, else encoded."""
    return text if _READABLE.fullmatch(text) and ".." not in text else _encode(text)


def check_site(site: str) -> str:
    if not _SITE.fullmatch(site):
        raise SourceMapError(f"site {site!r} is not a site id ([A-Za-z0-9._-], 1 to 64)")
    return site


def check_release(release: str) -> str:
    if not 1 <= len(release) <= MAX_RELEASE_LENGTH or any(ord(c) < 32 for c in release):
        raise SourceMapError(
            f"release {release!r} must be 1 to {MAX_RELEASE_LENGTH} printable characters"
        )
    return release


def url_path(url_or_path: str) -> str:
    """The path part of a script URL (``https://x/static/app.js?v=1`` → ``/static/app.js``),
    normalised: percent-decoded, no ``.`` or ``..`` segments, one leading slash."""
    path = unquote(path_of(url_or_path))
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def check_path(path: str) -> str:
    clean = url_path(path)
    if clean == "/" or any(ord(c) < 32 for c in clean):
        raise SourceMapError(f"path {path!r} is not the URL path of a script (e.g. /static/app.js)")
    if len(clean.encode()) > MAX_PATH_BYTES:
        raise SourceMapError(f"path {path!r} is longer than {MAX_PATH_BYTES} bytes")
    return clean


def parse_map(map_bytes: bytes, source: bytes | None = None) -> ParsedMap:
    """Parse a map (and its minified file); raises :class:`SourceMapError` with the reason."""
    try:
        view = SourceMapView.from_json_bytes(map_bytes)
        minified = SourceView.from_bytes(source) if source else None
    except SymbolicError as exc:
        raise SourceMapError(f"not a valid source map: {exc}") from None
    return ParsedMap(view, minified)


class SourceMapStore:
    """The maps under one directory, with a size cap per file."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def _release_dir(self, site: str, release: str, writing: bool = False) -> Path:
        """The release's folder. The components cannot hold a separator or ``..``; before
        a write or delete the resolved path is checked as well (not on the ingest path)."""
        directory = self.root / check_site(site) / _component(check_release(release))
        if writing and not directory.resolve().is_relative_to(self.root.resolve()):
            raise SourceMapError(f"release {release!r} would be stored outside {self.root}")
        return directory

    def _files(self, site: str, release: str, path: str) -> tuple[Path, Path]:
        stem = _encode(check_path(path))
        directory = self._release_dir(site, release, writing=True)
        return directory / (stem + MAP_SUFFIX), directory / (stem + SOURCE_SUFFIX)

    def check_size(self, size: int, what: str) -> None:
        if size > self.max_bytes:
            raise SourceMapError(
                f"{what} is {size:,} bytes, over the {self.max_bytes:,}-byte cap "
                "(RUM_SOURCEMAP_MAX_BYTES)"
            )

    def put(
        self, site: str, release: str, path: str, map_bytes: bytes, source: bytes | None = None
    ) -> MapEntry:
        """Check and store one map (and its minified file); replaces an earlier upload."""
        self.check_size(len(map_bytes), f"the map of {path}")
        if source is not None:
            self.check_size(len(source), f"the minified file {path}")
        parse_map(map_bytes, source)
        map_file, source_file = self._files(site, release, path)
        map_file.parent.mkdir(parents=True, exist_ok=True)
        if source is not None:
            _write_atomically(source_file, source)
        else:
            source_file.unlink(missing_ok=True)
        _write_atomically(map_file, map_bytes)
        return self._entry(site, release, map_file)

    def upload_directory(
        self, site: str, release: str, directory: Path, url_prefix: str = "/"
    ) -> list[MapEntry]:
        """Every ``*.map`` under ``directory``: ``dist/js/app.js.map`` is the map of
        ``<url_prefix>/js/app.js``, stored with ``app.js`` when it is beside it."""
        if not directory.is_dir():
            raise SourceMapError(f"{directory} is not a directory")
        maps = sorted(p for p in directory.rglob("*" + MAP_SUFFIX) if p.is_file())
        if not maps:
            raise SourceMapError(f"no *.map file under {directory}")
        entries = []
        for map_file in maps:
            relative = map_file.relative_to(directory).as_posix().removesuffix(MAP_SUFFIX)
            minified = map_file.with_name(map_file.name.removesuffix(MAP_SUFFIX))
            self.check_size(map_file.stat().st_size, str(map_file))
            source = None
            if minified.is_file():
                self.check_size(minified.stat().st_size, str(minified))
                source = minified.read_bytes()
            try:
                entries.append(
                    self.put(
                        site,
                        release,
                        url_prefix.rstrip("/") + "/" + relative,
                        map_file.read_bytes(),
                        source,
                    )
                )
            except SourceMapError as exc:
                raise SourceMapError(f"{map_file}: {exc}") from None
        return entries

    def list(self, site: str = "", release: str = "") -> list[MapEntry]:
        """Stored maps, of one site (and release) or all, sorted."""
        if not self.root.is_dir():
            return []
        sites = [self.root / check_site(site)] if site else sorted(self.root.iterdir())
        entries = []
        for site_dir in sites:
            if not site_dir.is_dir() or not _SITE.fullmatch(site_dir.name):
                continue
            if release:
                releases = [self._release_dir(site_dir.name, release)]
            else:
                releases = sorted(site_dir.iterdir())
            for release_dir in releases:
                if not release_dir.is_dir():
                    continue
                for map_file in sorted(release_dir.glob("*" + MAP_SUFFIX)):
                    entries.append(self._entry(site_dir.name, _decode(release_dir.name), map_file))
        return entries

    def delete(self, site: str, release: str, path: str = "") -> int:
        """Delete one map, or every map of a release; returns how many maps went."""
        if path:
            map_file, source_file = self._files(site, release, path)
            existed = map_file.is_file()
            map_file.unlink(missing_ok=True)
            source_file.unlink(missing_ok=True)
            return int(existed)
        directory = self._release_dir(site, release, writing=True)
        if not directory.is_dir():
            return 0
        count = 0
        for file in directory.iterdir():
            count += file.name.endswith(MAP_SUFFIX)
            file.unlink()
        directory.rmdir()
        return count

    def release_state(self, site: str, release: str) -> int:
        """Changes whenever a map of the release is stored or deleted (0: no maps)."""
        try:
            return self._release_dir(site, release).stat().st_mtime_ns
        except (OSError, SourceMapError):
            return 0

    def map_bytes(self, site: str, release: str, path: str) -> bytes | None:
        """The stored map of exactly this path, or None."""
        map_file, _ = self._files(site, release, path)
        return map_file.read_bytes() if map_file.is_file() else None

    def find(self, site: str, release: str, script_url: str) -> MapFile | None:
        """The map of a frame's script: its exact URL path, else the release's only map
        with the same file name (a map uploaded under another prefix still applies)."""
        try:
            directory = self._release_dir(site, release)
            wanted = check_path(script_url)
        except SourceMapError:
            return None
        if not directory.is_dir():
            return None
        stem = _encode(wanted)
        map_file = directory / (stem + MAP_SUFFIX)
        if not map_file.is_file():
            name = PurePosixPath(wanted).name
            same_name = [
                file
                for file in directory.glob("*" + MAP_SUFFIX)
                if PurePosixPath(_decode(file.name.removesuffix(MAP_SUFFIX))).name == name
            ]
            if len(same_name) != 1:
                return None
            map_file = same_name[0]
        source_file = map_file.with_name(map_file.name.removesuffix(MAP_SUFFIX) + SOURCE_SUFFIX)
        try:
            stat = map_file.stat()
        except OSError:
            return None
        if stat.st_size > self.max_bytes:  # put there by hand, past the cap: never parsed
            log.warning("source map %s is over the %d-byte cap", map_file, self.max_bytes)
            return None
        return MapFile(
            map_file,
            source_file if source_file.is_file() else None,
            (stat.st_mtime_ns, stat.st_size),
        )

    def _entry(self, site: str, release: str, map_file: Path) -> MapEntry:
        stat = map_file.stat()
        source_file = map_file.with_name(map_file.name.removesuffix(MAP_SUFFIX) + SOURCE_SUFFIX)
        uploaded = datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds")
        return MapEntry(
            site=site,
            release=release,
            path=_decode(map_file.name.removesuffix(MAP_SUFFIX)),
            size=stat.st_size,
            uploaded=uploaded,
            with_source=source_file.is_file(),
        )


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class MapCache:
    """Parsed maps, bounded by total map bytes, parsed on one background thread.

    ``get`` waits for a parse at most ``wait_seconds``: a map too big to parse in time is
    not waited for (the stack is kept minified, read-time symbolication catches up), and
    the parse goes on so the next stack finds it. A map that fails to parse is remembered
    as failed until it is uploaded again.
    """

    def __init__(self, store: SourceMapStore, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Path, tuple[int, int]], Future[ParsedMap | None]] = (
            OrderedDict()
        )
        self._sizes: dict[tuple[Path, tuple[int, int]], int] = {}
        self._found: dict[tuple[str, str, str, int], tuple[float, MapFile | None]] = {}
        self.on_missing: Callable[[str, str, str], object] | None = None
        """Told of each script with no map (the optional sourceMappingURL fetcher)."""
        self._lock = threading.Lock()
        self._parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sourcemap-parse")

    def get(
        self,
        site: str,
        release: str,
        script_url: str,
        wait_seconds: float,
        state: int | None = None,
    ) -> ParsedMap | None:
        """The parsed map of a script, waiting for its parse at most ``wait_seconds``.
        ``state`` is the release's :meth:`SourceMapStore.release_state` when the caller
        already has it (one stat per stack instead of one per frame)."""
        if state is None:
            state = self.store.release_state(site, release)
        found = self._find(site, release, script_url, state)
        if found is None:
            return None
        key = (found.map_file, found.version)  # a new upload is a new version
        with self._lock:
            future = self._entries.get(key)
            if future is None:
                future = self._parser.submit(_load, found)
                self._entries[key] = future
                self._sizes[key] = found.version[1]
                self._evict()
            else:
                self._entries.move_to_end(key)
        try:
            return future.result(timeout=max(wait_seconds, 0.0))
        except FutureTimeout:
            return None

    def _find(self, site: str, release: str, script_url: str, state: int) -> MapFile | None:
        """``store.find``, remembered while the release's maps stay as they are, and at
        most ``FIND_MEMO_SECONDS`` (a directory's mtime is only as fine as the kernel's
        clock tick): a frame then costs a dictionary lookup, not five system calls."""
        key = (site, release, script_url, state)
        now = time.monotonic()
        remembered = self._found.get(key)
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        found = self.store.find(site, release, script_url)
        with self._lock:
            if len(self._found) > 10_000:
                self._found.clear()
            self._found[key] = (now + FIND_MEMO_SECONDS, found)
        if found is None and self.on_missing is not None:
            self.on_missing(site, release, script_url)
        return found

    def _evict(self) -> None:
        while len(self._entries) > 1 and sum(self._sizes.values()) > self.max_bytes:
            oldest, _ = self._entries.popitem(last=False)
            del self._sizes[oldest]

    def close(self) -> None:
        self._parser.shutdown(wait=False, cancel_futures=True)


def _load(found: MapFile) -> ParsedMap | None:
    try:
        source = found.source_file.read_bytes() if found.source_file else None
        return parse_map(found.map_file.read_bytes(), source)
    except (SourceMapError, OSError) as exc:
        log.warning("source map %s is not usable: %s", found.map_file, exc)
        return None


_caches: dict[Path, MapCache] = {}
_caches_lock = threading.Lock()


def cache_for(root: Path, max_bytes: int) -> MapCache:
    """One cache per map directory per process (the ingest path and the reports share it)."""
    with _caches_lock:
        cache = _caches.get(root)
        if cache is None:
            cache = _caches[root] = MapCache(SourceMapStore(root, max_bytes))
        return cache
