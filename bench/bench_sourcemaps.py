"""Which source-map library symbolicates: ``python bench/bench_sourcemaps.py``.

Compares Sentry's ``symbolic`` (Rust, maintained) with ``sourcemap`` (pure Python,
last release 2017) on real esbuild output: the e2e fixture app and TypeScript's own
9 MB ``typescript.js``, both bundled and minified by the client's esbuild with a map.

Prints, per library and bundle: the time to parse the map, microseconds per lookup,
and correctness: of N positions at the start of named tokens in the minified file,
how many map back to a position in the original source that holds that very name
(``sourcesContent`` is the ground truth), and, for the fixture app, whether the
enclosing original function of a ``throw`` is found.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ESBUILD = ROOT / "client" / "node_modules" / ".bin" / "esbuild"
FIXTURE = ROOT / "e2e" / "fixture_app" / "src"
TYPESCRIPT = ROOT / "client" / "node_modules" / "typescript" / "lib" / "typescript.js"
SAMPLES = 2000


def build(entry: Path, out: Path, *extra: str) -> tuple[bytes, bytes]:
    subprocess.run(
        [
            str(ESBUILD),
            str(entry),
            "--bundle",
            "--minify",
            "--sourcemap",
            f"--outfile={out}",
            *extra,
        ],
        check=True,
        capture_output=True,
    )
    return out.read_bytes(), Path(f"{out}.map").read_bytes()


def named_positions(map_bytes: bytes, count: int) -> list[tuple[int, int, str, str, int, int]]:
    """(line, col, name, source, src_line, src_col) of random named tokens, from symbolic."""
    from symbolic.sourcemap import SourceMapView

    view = SourceMapView.from_json_bytes(map_bytes)
    tokens = [t for t in view if t.name]
    random.seed(7)
    picked = random.sample(tokens, min(count, len(tokens)))
    return [
        (t.dst_line, t.dst_col, t.name or "", t.src or "", t.src_line, t.src_col) for t in picked
    ]


def source_lines(map_bytes: bytes) -> dict[str, list[str]]:
    raw = json.loads(map_bytes)
    return {
        name: (content or "").split("\n")
        for name, content in zip(raw["sources"], raw.get("sourcesContent") or [], strict=False)
    }


def name_at(lines: dict[str, list[str]], source: str, line: int, col: int, name: str) -> bool:
    text = lines.get(source, [])
    return 0 <= line < len(text) and text[line][col : col + len(name)] == name


def with_symbolic(
    map_bytes: bytes, minified: bytes, probes: list[tuple[int, int, str]]
) -> dict[str, object]:
    from symbolic.sourcemap import SourceMapView, SourceView

    start = time.perf_counter()
    view = SourceMapView.from_json_bytes(map_bytes)
    source = SourceView.from_bytes(minified)
    parse = time.perf_counter() - start
    lines = source_lines(map_bytes)
    start = time.perf_counter()
    results = [view.lookup(line, col) for line, col, _ in probes]
    per_lookup = (time.perf_counter() - start) / max(len(probes), 1)
    correct = sum(
        1
        for (_, _, name), token in zip(probes, results, strict=True)
        if token is not None
        and name_at(lines, token.src or "", token.src_line, token.src_col, name)
    )
    return {
        "parse_ms": parse * 1000,
        "lookup_us": per_lookup * 1e6,
        "correct": correct,
        "view": view,
        "source": source,
    }


def with_sourcemap(map_bytes: bytes, probes: list[tuple[int, int, str]]) -> dict[str, object]:
    import sourcemap

    start = time.perf_counter()
    index = sourcemap.loads(map_bytes.decode())
    parse = time.perf_counter() - start
    lines = source_lines(map_bytes)
    start = time.perf_counter()
    results = []
    for line, col, _ in probes:
        try:
            results.append(index.lookup(line, col))
        except (IndexError, KeyError, ValueError):
            results.append(None)
    per_lookup = (time.perf_counter() - start) / max(len(probes), 1)
    correct = sum(
        1
        for (_, _, name), token in zip(probes, results, strict=True)
        if token is not None and name_at(lines, token.src, token.src_line, token.src_col, name)
    )
    return {"parse_ms": parse * 1000, "lookup_us": per_lookup * 1e6, "correct": correct}


def per_stack(label: str, minified: bytes, map_bytes: bytes, work: Path) -> None:
    """What a stack costs ingest once its map is parsed: 10 frames through the real path."""
    from rum_server.settings import Settings
    from rum_server.sourcemaps.store import (
        INGEST_BUDGET_SECONDS,
        SourceMapStore,
    )
    from rum_server.sourcemaps.symbolicator import stack_symbolicator

    settings = Settings(dsn=f"chdb://{work / label.replace(' ', '-')}", sourcemap_max_bytes=1 << 26)
    store = SourceMapStore(settings.sourcemap_path, settings.sourcemap_max_bytes)
    store.put("shop", "r1", "/js/app.min.js", map_bytes, minified)
    symbolicate = stack_symbolicator(settings, INGEST_BUDGET_SECONDS)
    probes = named_positions(map_bytes, 10)
    stack = "Error: x\n" + "\n".join(
        f"    at e (https://shop.example/js/app.min.js:{line + 1}:{col + 1})"
        for line, col, *_ in probes
    )
    symbolicate(stack, "shop", "r1")  # parse (background thread), first lookups
    deadline = time.perf_counter() + 30
    while symbolicate(stack, "shop", "r1").mapped < len(probes) and time.perf_counter() < deadline:
        time.sleep(0.05)
    runs = 50
    start = time.perf_counter()
    for _ in range(runs):
        result = symbolicate(stack, "shop", "r1")
    took = (time.perf_counter() - start) / runs
    print(
        f"  ingest, warm: {took * 1000:.2f} ms per 10-frame stack"
        f" ({result.mapped}/{len(probes)} frames mapped,"
        f" budget {INGEST_BUDGET_SECONDS * 1000:.0f} ms)"
    )


def main() -> int:
    if not ESBUILD.exists():
        print("client/node_modules is missing: run `cd client && npm ci` first", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="bench-sourcemaps-"))
    try:
        shutil.copytree(FIXTURE, work / "src")
        bundles = {
            "fixture app": build(
                work / "src" / "main.ts",
                work / "dist" / "app.min.js",
                "--format=iife",
                "--global-name=shopApp",
            ),
            "typescript.js": build(
                TYPESCRIPT, work / "dist" / "typescript.min.js", "--platform=node"
            ),
        }
        for label, (minified, map_bytes) in bundles.items():
            probes_full = named_positions(map_bytes, SAMPLES)
            probes = [(line, col, name) for line, col, name, *_ in probes_full]
            print(
                f"{label}: {len(minified):,} B minified, {len(map_bytes):,} B map,"
                f" {len(probes)} probes"
            )
            sym = with_symbolic(map_bytes, minified, probes)
            print(
                f"  symbolic  13.9.0: parse {sym['parse_ms']:8.1f} ms"
                f"  lookup {sym['lookup_us']:6.1f} µs"
                f"  name at original position {sym['correct']}/{len(probes)}"
            )
            per_stack(label, minified, map_bytes, work)
            smp = with_sourcemap(map_bytes, probes)
            print(
                f"  sourcemap  0.2.1: parse {smp['parse_ms']:8.1f} ms"
                f"  lookup {smp['lookup_us']:6.1f} µs"
                f"  name at original position {smp['correct']}/{len(probes)}"
            )
            if label == "fixture app":
                text = minified.decode()
                col = text.index("throw new RangeError")
                view, source = sym["view"], sym["source"]
                token = view.lookup(0, col, "i", source)  # type: ignore[attr-defined]
                print(
                    f"  the throw: symbolic → {token.src}:{token.src_line + 1}:{token.src_col + 1}"
                    f" in {token.function_name!r}"
                )
                import sourcemap

                other = sourcemap.loads(map_bytes.decode()).lookup(0, col)
                print(
                    f"  the throw: sourcemap → {other.src}:{other.src_line + 1}:{other.src_col + 1}"
                    f" name {other.name!r} (no enclosing function)"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
