"""The browser snippet (client/): its own tests pass, its build is reproducible, it fits its budget.

The built files are committed (so ``pip install .`` needs no npm); these tests prove they are
exactly what the sources build and that they stay small.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import brotli
import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "client"
STATIC = ROOT / "rum_server" / "static"
BUNDLES = ["rum.js", "rum.attribution.js", "rum.errors.js"]
DEV_BUNDLE = "rum.dev.js"
"""The development build (rum.attribution.js plus console warnings): built and committed
like the others, outside the budgets (it is not for production pages)."""

# Brotli bytes allowed per bundle: the hard budgets. rum.errors.js reaches its
# 1,536 B by leaving out what docs/snippet.md lists ("What rum.errors.js leaves out and why").
BUDGET_BYTES = {
    "rum.js": 4096,
    "rum.attribution.js": 6144,
    "rum.errors.js": 1536,
}

# What rum.errors.js leaves out (docs/snippet.md), each seen by a name the code needs:
# the two Web Vitals builds keep it, the errors build must not carry it.
LEFT_OUT_OF_THE_ERRORS_BUILD = [
    ("soft navigations (data-soft-navs)", "pushState"),
    ("soft navigations (data-soft-navs)", "soft-navigation"),
    ("the viewport", "innerWidth"),
    ("the connection type", "effectiveType"),
    ("trace and request ids", "traceparent"),
    ("trace and request ids", "cf-ray"),
    ("Server-Timing", "serverTiming"),
    ("the sha256 helper", "SHA-256"),
    ("track's checks in the browser", "[a-z0-9_]{0,39}"),
    ("the fetch fallback", "keepalive"),
]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its whole output when it fails."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=240)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """The client's npm dependencies, installed from the lockfile when missing."""
    if shutil.which("npm") is None:
        pytest.fail("npm is not installed: the client tests need Node.js and npm")
    # Every devDependency the build runs: an older checkout's node_modules may lack one.
    if not all((CLIENT / "node_modules" / name).exists() for name in ("esbuild", "terser")):
        run(["npm", "ci", "--no-audit", "--no-fund"], CLIENT)
    return CLIENT / "node_modules"


def test_npm_test_passes(node_modules: Path) -> None:
    """tsc --noEmit (strict) and the node --test unit tests of the pure modules."""
    result = run(["npm", "test"], CLIENT)
    assert "# fail 0" in result.stdout, result.stdout


def test_build_reproduces_the_committed_files(node_modules: Path, tmp_path: Path) -> None:
    run(["node", "build.mjs", "--out", str(tmp_path)], CLIENT)
    for bundle in [*BUNDLES, DEV_BUNDLE]:
        for name in (bundle, bundle + ".gz", bundle + ".br"):
            built = (tmp_path / name).read_bytes()
            committed = (STATIC / name).read_bytes()
            assert built == committed, (
                f"{name} differs from a fresh build: run `npm run build` in client/"
            )


def test_build_fails_when_a_web_vitals_edit_stops_matching(
    node_modules: Path, tmp_path: Path
) -> None:
    """A web-vitals release that moves the code an edit cuts fails the build, naming the edit.

    The client is copied beside a web-vitals whose onCLS.js no longer has the code the
    `report-all-changes` edit cuts (every other package is linked, not copied)."""
    client = tmp_path / "client"
    client.mkdir()
    for name in ("build.mjs", "package.json"):
        shutil.copy(CLIENT / name, client / name)
    shutil.copytree(CLIENT / "src", client / "src")
    (client / "node_modules").mkdir()
    for package in node_modules.iterdir():
        if package.name != "web-vitals":
            (client / "node_modules" / package.name).symlink_to(package)
    web_vitals = client / "node_modules" / "web-vitals"
    shutil.copytree(node_modules / "web-vitals", web_vitals)
    on_cls = web_vitals / "dist" / "modules" / "onCLS.js"
    source = on_cls.read_text()
    assert "opts.reportAllChanges" in source
    on_cls.write_text(source.replace("opts.reportAllChanges", "opts.reportEveryChange"))
    result = subprocess.run(
        ["node", "build.mjs", "--out", str(tmp_path / "out")],
        cwd=client,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode != 0
    assert "web-vitals edit report-all-changes" in result.stderr, result.stderr


@pytest.mark.parametrize("bundle", BUNDLES)
def test_precompressed_siblings_hold_the_same_code(bundle: str) -> None:
    import gzip

    code = (STATIC / bundle).read_bytes()
    assert brotli.decompress((STATIC / (bundle + ".br")).read_bytes()) == code
    assert gzip.decompress((STATIC / (bundle + ".gz")).read_bytes()) == code


@pytest.mark.parametrize(("bundle", "budget"), sorted(BUDGET_BYTES.items()))
def test_bundle_fits_its_brotli_budget(bundle: str, budget: int) -> None:
    size = len((STATIC / (bundle + ".br")).read_bytes())
    assert size <= budget, f"{bundle} is {size} B brotli, over its {budget} B budget"
    # The shipped .br must be as small as Python's brotli at max quality makes it (within 1%).
    best = len(brotli.compress((STATIC / bundle).read_bytes(), quality=11))
    assert size <= best * 1.01


def test_snippet_version_matches_package_json() -> None:
    import json

    version = json.loads((CLIENT / "package.json").read_text())["version"]
    for bundle in BUNDLES:
        assert f'sv:"{version}"' in (STATIC / bundle).read_text(), bundle


@pytest.mark.parametrize("bundle", BUNDLES)
def test_docs_state_the_current_sizes(bundle: str) -> None:
    docs = (ROOT / "docs" / "snippet.md").read_text()
    rows = [line for line in docs.splitlines() if line.startswith(f"| `{bundle}` | ")]
    row = next(line for line in rows if line.split("|")[2].strip().replace(",", "").isdigit())
    sizes = [(STATIC / name).stat().st_size for name in (bundle, bundle + ".gz", bundle + ".br")]
    expected = " | ".join(f"{size:,}" for size in sizes)
    assert f"| `{bundle}` | {expected} | {BUDGET_BYTES[bundle]:,} |" in row, row


@pytest.mark.parametrize(("feature", "needle"), LEFT_OUT_OF_THE_ERRORS_BUILD)
def test_errors_build_leaves_out_what_the_docs_say(feature: str, needle: str) -> None:
    assert needle not in (STATIC / "rum.errors.js").read_text(), feature
    for bundle in ("rum.js", "rum.attribution.js"):
        assert needle in (STATIC / bundle).read_text(), f"{bundle} lost {feature}"


def test_resource_rollup_is_in_the_attribution_build_only() -> None:
    """docs/snippet.md: the resource-timing rollup ships in rum.attribution.js and rum.dev.js."""
    for bundle, has_it in [
        ("rum.js", False),
        ("rum.errors.js", False),
        ("rum.attribution.js", True),
        (DEV_BUNDLE, True),
    ]:
        assert ('t:"resources"' in (STATIC / bundle).read_text()) == has_it, bundle


def test_console_warnings_are_in_the_development_build_only() -> None:
    for bundle in BUNDLES:
        assert "console.warn" not in (STATIC / bundle).read_text(), bundle
    assert "console.warn" in (STATIC / DEV_BUNDLE).read_text()
