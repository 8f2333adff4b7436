"""scripts/test.sh (the README's command 2) installs into a venv, never into a Python that
refuses it: PEP 668's externally managed interpreters get a project venv, ./.venv."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEBIAN_PYTHON = Path("/usr/bin/python3")


def where(python: str, tmp_path: Path, bin_dir: Path | None = None) -> str:
    """What ``test.sh --where`` answers when ``python3`` on PATH is ``python`` (or the one
    in ``bin_dir``, a venv's)."""
    if bin_dir is None:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        (bin_dir / "python3").unlink(missing_ok=True)
        (bin_dir / "python3").symlink_to(python)
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "test.sh"), "--where"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def is_externally_managed(python: Path) -> bool:
    marker = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return (Path(marker) / "EXTERNALLY-MANAGED").exists()


def test_a_python_that_accepts_installs_is_used_as_is(tmp_path: Path) -> None:
    assert not (Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED").exists() or (
        sys.prefix != sys.base_prefix
    )
    assert where(sys.executable, tmp_path) == str(tmp_path / "bin" / "python3")


def test_inside_a_venv_the_venv_is_used(tmp_path: Path) -> None:
    """Even a venv made from an externally managed Python accepts installs."""
    base = DEBIAN_PYTHON if DEBIAN_PYTHON.exists() else Path(sys.executable)
    venv = tmp_path / "venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    assert where("", tmp_path, bin_dir=venv / "bin") == str(venv / "bin" / "python3")


def test_an_externally_managed_python_gets_the_project_venv(tmp_path: Path) -> None:
    python = DEBIAN_PYTHON if DEBIAN_PYTHON.exists() else Path(sys.executable)
    expected = (
        f"{REPO}/.venv" if is_externally_managed(python) else str(tmp_path / "bin" / "python3")
    )
    assert where(str(python), tmp_path) == expected
