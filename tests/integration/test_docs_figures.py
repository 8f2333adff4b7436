"""The outputs docs/queries.md prints are what a reader gets after the README's demo-data.

The README's own ``rum-server demo-data`` line seeds a fresh store, then every ``$
rum-server …`` command of the cookbook's transcript runs and its output is compared
with the page, dates masked (they are the day you run it). The seeded days are whole
days ending yesterday, so the figures do not depend on the hour or the day. The run
is pinned to TZ=UTC (the embedded store's calendar on a stock Debian): in a zone with a
DST change inside the window, a few sessions land on another day.

Regenerate the page's outputs after a deliberate change with
``python tests/integration/test_docs_figures.py --write``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
QUERIES = REPO / "docs" / "queries.md"
PATHS = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
DATED = re.compile(r"\d{4}[-.]\d{2}[-.]\d{2}(?:-[0-9a-f]{6}| \d{2}:\d{2}:\d{2})?")


def readme_demo_data_args() -> list[str]:
    """The arguments of the README's ``rum-server demo-data`` line (comments dropped)."""
    lines = [line.strip() for line in README.read_text().splitlines()]
    line = next(line for line in lines if line.startswith("rum-server demo-data"))
    return shlex.split(line.split("#", 1)[0])[2:]


def transcript() -> list[tuple[str, str]]:
    """(command, printed output) for each ``$ rum-server`` line of the queries page."""
    pairs = []
    for block in re.findall(r"```text\n(.*?)```", QUERIES.read_text(), flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            pairs.append((command.strip(), output.rstrip("\n") + "\n"))
    return pairs


def masked(text: str) -> str:
    return DATED.sub(lambda match: "#" * len(match.group()), text)


def same_figures(got: str, printed: str) -> bool:
    """Equal text, every figure to the last digit (dates masked; spacing aside): quantiles
    come from histograms that merge exactly, so a run cannot move a digit."""
    return masked(got).split() == masked(printed).split()


def run_transcript(data_dir: Path) -> dict[str, str]:
    """Seed with the README's arguments, run each command; in a child pinned to TZ=UTC."""
    script = (
        "import json, sys\n"
        "from tests.integration.test_docs_figures import run_here\n"
        "print(json.dumps(run_here(sys.argv[1])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(data_dir)],
        cwd=REPO,
        env={**os.environ, "TZ": "UTC", "PYTHONPATH": os.pathsep.join([*PATHS, str(REPO)])},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    outputs: dict[str, str] = json.loads(done.stdout)
    return outputs


def run_here(data_dir: str) -> dict[str, str]:
    from rum_server.cli.main import main

    dsn = ["--dsn", f"chdb://{data_dir}"]
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["demo-data", *readme_demo_data_args(), *dsn]) == 0
    outputs = {}
    for command, _ in transcript():
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main([*shlex.split(command)[1:], *dsn])
        outputs[command] = out.getvalue() if code == 0 else f"exit {code}\n"
    return outputs


def test_the_readme_seeds_the_cookbook_site() -> None:
    args = readme_demo_data_args()
    assert args[args.index("--site") + 1] == "demo-store"
    assert "--dsn" not in args  # the default store, like the rest of the Quick start


def test_every_printed_output_is_what_the_readme_seed_gives(tmp_path: Path) -> None:
    pairs = transcript()
    assert len(pairs) >= 6
    outputs = run_transcript(tmp_path / "data")
    for command, printed in pairs:
        assert same_figures(outputs[command], printed), f"{command}\n{outputs[command]}"


def write_outputs(data_dir: Path) -> None:
    """Replace each printed output on the page with a fresh run's."""
    outputs = run_transcript(data_dir)
    text = QUERIES.read_text()
    for command, printed in transcript():
        text = text.replace(f"$ {command}\n{printed}", f"$ {command}\n{outputs[command]}", 1)
    QUERIES.write_text(text)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        write_outputs(Path(scratch) / "data")
