"""The source-map store: one place per (site, release, script path), nothing outside its
directory, a size cap, clear refusals, and a cache that never makes a stack wait long."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rum_server.settings import Settings
from rum_server.sourcemaps.store import (
    FIND_MEMO_SECONDS,
    MapCache,
    SourceMapError,
    SourceMapStore,
    url_path,
)
from rum_server.sourcemaps.symbolicator import stack_symbolicator
from tests.fixture_bundle import MAP, SCRIPT, SOURCE


@pytest.fixture
def store(tmp_path: Path) -> SourceMapStore:
    return SourceMapStore(tmp_path / "maps", max_bytes=1_000_000)


def files_under(root: Path) -> list[Path]:
    return [path for path in root.parent.rglob("*") if path.is_file()]


def test_a_map_is_stored_per_site_release_and_path_and_listed(store: SourceMapStore) -> None:
    entry = store.put("shop", "2026.11.29-abc", "/static/js/app.min.js", MAP, SOURCE)
    assert (entry.site, entry.release, entry.path) == (
        "shop",
        "2026.11.29-abc",
        "/static/js/app.min.js",
    )
    assert entry.with_source and entry.size == len(MAP)
    assert store.list("shop") == [entry]
    assert store.list("shop", "other") == [] and store.list("other") == []
    assert store.find("shop", "2026.11.29-abc", SCRIPT + "?v=3") is not None
    assert store.find("shop", "2026.11.30-def", SCRIPT) is None  # wrong release: no map


def test_a_map_under_another_prefix_is_found_by_its_unique_file_name(
    store: SourceMapStore,
) -> None:
    store.put("shop", "r1", "/app.min.js", MAP)
    assert store.find("shop", "r1", SCRIPT) is not None
    store.put("shop", "r1", "/other/app.min.js", MAP)
    assert store.find("shop", "r1", SCRIPT) is None  # two candidates: none is guessed


@pytest.mark.parametrize(
    ("site", "release", "path"),
    [
        ("shop", "../../../etc", "/x.js"),
        ("shop", "..", "/x.js"),
        ("shop", "r1/../../..", "/x.js"),
        ("shop", "r1", "/../../../../etc/passwd"),
        ("shop", "r1", "..%2F..%2F..%2Fetc%2Fpasswd"),
        ("shop", "~", "/x.js"),
    ],
)
def test_nothing_is_written_outside_the_directory(
    store: SourceMapStore, site: str, release: str, path: str
) -> None:
    store.put(site, release, path, MAP)
    written = files_under(store.root)
    assert written and all(file.is_relative_to(store.root) for file in written)
    (entry,) = store.list(site, release)
    assert entry.release == release
    assert store.delete(site, release, path) == 1
    assert not files_under(store.root)


@pytest.mark.parametrize("site", ["../shop", "", "a/b", "x" * 65, "shop\n", ".", ".."])
def test_a_bad_site_id_is_refused(store: SourceMapStore, site: str) -> None:
    with pytest.raises(SourceMapError, match="not a site id"):
        store.put(site, "r1", "/x.js", MAP)


@pytest.mark.parametrize("path", ["/", "", "http://shop.example/", "/a\x00b.js", "/" + "a" * 200])
def test_a_bad_path_is_refused(store: SourceMapStore, path: str) -> None:
    with pytest.raises(SourceMapError, match="path"):
        store.put("shop", "r1", path, MAP)


def test_an_oversized_map_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    store = SourceMapStore(tmp_path / "maps", max_bytes=1000)
    with pytest.raises(
        SourceMapError, match=r"over the 1,000-byte cap \(RUM_SOURCEMAP_MAX_BYTES\)"
    ):
        store.put("shop", "r1", "/x.js", MAP)
    assert not files_under(store.root)


def test_an_oversized_map_put_there_by_hand_is_never_used(tmp_path: Path) -> None:
    SourceMapStore(tmp_path / "maps", max_bytes=1_000_000).put("shop", "r1", "/app.min.js", MAP)
    assert SourceMapStore(tmp_path / "maps", max_bytes=1000).find("shop", "r1", SCRIPT) is None


def test_a_malformed_map_is_refused_and_nothing_is_kept(store: SourceMapStore) -> None:
    with pytest.raises(SourceMapError, match="not a valid source map: bad json"):
        store.put("shop", "r1", "/x.js", b"{ not json")
    assert store.list() == []


def test_uploading_a_directory_pairs_each_map_with_its_minified_file(
    store: SourceMapStore, tmp_path: Path
) -> None:
    build = tmp_path / "dist"
    (build / "js").mkdir(parents=True)
    (build / "js" / "app.min.js").write_bytes(SOURCE)
    (build / "js" / "app.min.js.map").write_bytes(MAP)
    (build / "vendor.js.map").write_bytes(MAP)
    entries = store.upload_directory("shop", "r1", build, "/static/")
    assert [(e.path, e.with_source) for e in entries] == [
        ("/static/js/app.min.js", True),
        ("/static/vendor.js", False),
    ]


def test_uploading_a_directory_without_maps_says_so(store: SourceMapStore, tmp_path: Path) -> None:
    with pytest.raises(SourceMapError, match=r"no \*\.map file under"):
        store.upload_directory("shop", "r1", tmp_path)
    with pytest.raises(SourceMapError, match="is not a directory"):
        store.upload_directory("shop", "r1", tmp_path / "missing")


def test_deleting_a_release_removes_its_maps_only(store: SourceMapStore) -> None:
    store.put("shop", "r1", "/a.js", MAP)
    store.put("shop", "r1", "/b.js", MAP)
    store.put("shop", "r2", "/a.js", MAP)
    assert store.delete("shop", "r1") == 2
    assert [e.release for e in store.list("shop")] == ["r2"]
    assert store.delete("shop", "r1") == 0


def test_url_paths_are_normalised() -> None:
    assert url_path("https://x.example/static/./js/../app.js?v=1#f") == "/static/app.js"
    assert url_path("static//app%20x.js") == "/static/app x.js"


def huge_map() -> bytes:
    """A valid map whose parse takes a while (several MB of mappings)."""
    line = "AAAA," * 2000
    return (
        '{"version":3,"sources":["a.ts"],"names":[],"mappings":"' + ";".join([line] * 800) + '"}'
    ).encode()


def test_the_cache_never_waits_past_its_budget_and_keeps_parsing_behind(tmp_path: Path) -> None:
    store = SourceMapStore(tmp_path / "maps", max_bytes=64_000_000)
    store.put("shop", "r1", "/app.min.js", huge_map())
    cache = MapCache(store)
    try:
        started = time.monotonic()
        assert cache.get("shop", "r1", SCRIPT, wait_seconds=0.0) is None
        assert time.monotonic() - started < 0.5
        assert cache.get("shop", "r1", SCRIPT, wait_seconds=30) is not None  # parsed meanwhile
    finally:
        cache.close()


def test_a_broken_map_on_disk_is_remembered_and_a_new_upload_replaces_it(tmp_path: Path) -> None:
    store = SourceMapStore(tmp_path / "maps", max_bytes=1_000_000)
    entry = store.put("shop", "r1", "/app.min.js", MAP)
    (map_file,) = (tmp_path / "maps").rglob("*.map")
    map_file.write_bytes(b"{ broken")
    cache = MapCache(store)
    try:
        assert cache.get("shop", "r1", SCRIPT, wait_seconds=5) is None
        assert entry.path == "/app.min.js"
        store.put("shop", "r1", "/app.min.js", MAP)
        deadline = time.monotonic() + 5 * FIND_MEMO_SECONDS
        while cache.get("shop", "r1", SCRIPT, 5) is None and time.monotonic() < deadline:
            time.sleep(0.05)  # a new upload is used within FIND_MEMO_SECONDS
        assert cache.get("shop", "r1", SCRIPT, wait_seconds=5) is not None
    finally:
        cache.close()


def test_the_ingest_symbolicator_applies_only_with_a_release(tmp_path: Path) -> None:
    settings = Settings(dsn=f"chdb://{tmp_path / 'data'}")
    SourceMapStore(settings.sourcemap_path, settings.sourcemap_max_bytes).put(
        "shop", "r1", "/static/js/app.min.js", MAP, SOURCE
    )
    symbolicator = stack_symbolicator(settings, budget_seconds=5)
    stack = f"RangeError: x\n    at i ({SCRIPT}:1:561)"
    assert symbolicator(stack, "shop", "") is None
    result = symbolicator(stack, "shop", "r1")
    assert result is not None and result.frames[0].function == "applyDiscount"
    assert symbolicator(stack, "shop", "r2") is None  # no maps for that release
    assert settings.sourcemap_path == tmp_path / "data.sourcemaps"
