"""Run every benchmark and rewrite docs/benchmarks.md and docs/benchmarks.json.

    pip install -e '.[bench]' && apt-get install -y wrk chromium
    python -m bench --quick     # a few minutes: checks that everything runs (bench/results/)
    python -m bench             # the full run (about 25 minutes on 2 cores): docs/

Every server and section runs in its own process on 127.0.0.1; temporary
directories and child processes are removed on exit, failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Plan:
    """How much of everything to do."""

    ingest_beacons: int
    ingest_repeats: int
    ingest_seconds: float
    stage_beacons: int
    store_beacons: int
    store_repeats: int
    query_scales: tuple[int, ...]
    query_repeats: int
    snippet_loads: int


QUICK = Plan(4_000, 1, 4, 4_000, 2_000, 1, (100_000, 300_000), 5, 1)
FULL = Plan(20_000, 3, 8, 20_000, 12_000, 3, (1_000_000, 10_000_000), 10, 5)

SECTIONS = ("corpus", "stages", "ingest", "profile", "store", "queries", "snippet")


def missing_requirements(sections: set[str]) -> list[str]:
    """Everything the chosen sections need that this machine lacks, with the fix."""
    problems = []
    extra = "pip install -e '.[bench]'"
    modules = {"psutil": extra, "msgspec": extra, "clickhouse_connect": extra, "chdb": extra}
    if sections & {"ingest", "profile"}:
        modules |= {"uvicorn": extra, "fastapi": extra, "pydantic": extra, "litestar": extra}
        if not shutil.which("wrk"):
            problems.append("wrk (the load generator): apt-get install -y wrk")
    if "profile" in sections and not shutil.which("py-spy"):
        problems.append(f"py-spy (the profiler): {extra}")
    if "snippet" in sections:
        modules |= {"playwright": extra, "brotli": extra}
        if not Path("/usr/bin/chromium").exists():
            problems.append("Chromium at /usr/bin/chromium: apt-get install -y chromium")
        if not (REPO / "client" / "node_modules" / "web-vitals").exists():
            problems.append("web-vitals (for the web-vitals-alone page): cd client && npm ci")
        for build in ("rum.js", "rum.attribution.js", "rum.errors.js"):
            if not (REPO / "rum_server" / "static" / build).exists():
                problems.append(f"rum_server/static/{build}: cd client && npm ci && npm run build")
    for module, fix in modules.items():
        if importlib.util.find_spec(module) is None:
            problems.append(f"Python package {module}: {fix}")
    return problems


def machine() -> dict[str, Any]:
    import psutil

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    versions = {}
    for package in (
        "chdb",
        "clickhouse-connect",
        "litestar",
        "msgspec",
        "uvicorn",
        "fastapi",
        "pydantic",
        "playwright",
    ):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "missing"
    chromium = (
        subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if Path("/usr/bin/chromium").exists()
        else "missing"
    )
    wrk = (
        subprocess.run(
            ["wrk", "--version"], capture_output=True, text=True, check=False
        ).stdout.split(" [")[:1]
        if shutil.which("wrk")
        else []
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "commit": commit,
        "versions": versions,
        "chromium": chromium,
        "wrk": wrk[0] if wrk else "missing",
        "load_before": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument(
        "--doc",
        help="where the page goes (default: docs/benchmarks.md; bench/results/ for --quick)",
    )
    parser.add_argument("--json", help="where the raw figures go (default: beside the page)")
    parser.add_argument("--no-write", action="store_true", help="print the JSON, write nothing")
    parser.add_argument(
        "--render", metavar="JSON", help="only rewrite the page from a run's JSON (no measuring)"
    )
    args = parser.parse_args(argv)
    if args.render:
        sys.path.insert(0, str(REPO))
        from bench.report import render

        doc = Path(args.doc or REPO / "docs" / "benchmarks.md")
        doc.write_text(render(json.loads(Path(args.render).read_text()), Path(args.render).name))
        print(f"wrote {doc}", file=sys.stderr)
        return 0
    if args.doc is None:
        # A quick run checks that everything works; it never overwrites the published figures.
        folder = REPO / ("bench/results" if args.quick or args.only else "docs")
        args.doc = str(folder / ("benchmarks-quick.md" if args.quick else "benchmarks.md"))
    if args.json is None:
        args.json = str(Path(args.doc).with_suffix(".json"))
    chosen = set(args.only.split(",")) if args.only else set(SECTIONS)
    unknown = chosen - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    problems = missing_requirements(chosen)
    if problems:
        print("python -m bench cannot run; missing:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    sys.path.insert(0, str(REPO))

    from bench.procs import BenchError, progress, supervised

    plan = QUICK if args.quick else FULL
    started = time.time()
    results: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "plan": asdict(plan),
        "command": "python -m bench"
        + (" --quick" if args.quick else "")
        + (f" --only {args.only}" if args.only else ""),
        "started_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "machine": machine(),
    }
    failed: dict[str, str] = results.setdefault("failed", {})
    try:
        with supervised() as children:

            def section(name: str, params: dict[str, Any]) -> Any:
                """Run one section in a fresh process; its stderr streams through."""
                out = children.temp_dir("rum-bench-section-") / "result.json"
                command = [
                    sys.executable,
                    "-m",
                    "bench.section",
                    name,
                    json.dumps(params),
                    str(out),
                ]
                child = children.start(
                    f"section-{name}", command, out.parent, dict(os.environ), stream=True
                )
                code = child.process.wait()
                if code != 0 or not out.exists():
                    raise BenchError(
                        f"section {name} failed (exit {code}):\n"
                        f"  {' '.join(command)}\n{child.stderr_tail(40)}"
                    )
                children.stop(child)
                return json.loads(out.read_text())

            from bench import corpus

            progress("corpus: generating")
            beacons = corpus.Generator().beacons(plan.ingest_beacons)
            results["corpus"] = {
                **corpus.describe(beacons),
                "seed": corpus.SEED,
                "user_agent_source": str(corpus.Generator().ua_source),
            }
            load = results["load_during"] = {}

            def mark(name: str) -> None:
                load[name] = os.getloadavg()[0]

            mark("start")

            def stages_section() -> Any:
                progress(f"stages: {plan.stage_beacons:,} beacons, each stage from cold caches")
                store_dir = children.temp_dir("rum-bench-stages-")
                params = {"beacons": plan.stage_beacons, "dsn": f"chdb://{store_dir / 'store'}"}
                return section("stages", params)

            def ingest_section() -> Any:
                from bench import ingest

                return ingest.run(children, beacons, plan.ingest_repeats, plan.ingest_seconds)

            def profile_section() -> Any:
                from bench import ingest

                progress("profile: py-spy on (b) at full load")
                return ingest.profile_rum(children, beacons, plan.ingest_seconds)

            def store_section() -> Any:
                store_dir = children.temp_dir("rum-bench-store-")
                params = {"beacons": plan.store_beacons, "repeats": plan.store_repeats,
                          "dsn": f"chdb://{store_dir / 'store'}"}  # fmt: skip
                return section("store", params)

            def queries_section() -> Any:
                from bench import queries

                return queries.run(children, list(plan.query_scales), plan.query_repeats, section)

            def snippet_section() -> Any:
                from bench import snippet

                return snippet.run(plan.snippet_loads)

            runners = {
                "stages": stages_section,
                "ingest": ingest_section,
                "profile": profile_section,
                "store": store_section,
                "queries": queries_section,
                "snippet": snippet_section,
            }
            for name, run_section in runners.items():
                if name not in chosen:
                    continue
                try:  # one section's failure must not cost the others' figures
                    results[name] = run_section()
                except BenchError as exc:
                    failed[name] = str(exc)
                    progress(f"{name} FAILED:\n{exc}")
                mark(name)
    except BenchError as exc:
        print(f"python -m bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "python -m bench: interrupted; children stopped, temporary files removed",
            file=sys.stderr,
        )
        return 130
    results["machine"]["load_after"] = os.getloadavg()
    results["minutes"] = round((time.time() - started) / 60, 1)
    if args.no_write:
        print(json.dumps(results, indent=1))
        return 0
    from bench.report import render

    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    Path(args.doc).write_text(render(results, Path(args.json).name))
    progress(f"wrote {args.doc} and {args.json} in {results['minutes']} min")
    if failed:
        print(f"python -m bench: failed sections: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
