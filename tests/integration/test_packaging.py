"""`pip install .` needs no npm: the wheel carries the snippet builds and dashboard assets."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_every_file_the_server_serves(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("deco_rum-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    served = [
        path.relative_to(REPO).as_posix()
        for folder in ("rum_server/static", "rum_server/web/dashboard_assets")
        for path in (REPO / folder).iterdir()
        if path.is_file()
    ]
    assert served, "nothing to serve: run npm run build in client/"
    assert sorted(set(served) - names) == []
    assert "rum_server/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "rum-server = rum_server.cli.main:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )
