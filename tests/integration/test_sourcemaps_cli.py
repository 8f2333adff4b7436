"""``rum-server sourcemaps upload|list|delete``: the operator's way to manage maps."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rum_server.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data" / "sourcemaps"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    out = tmp_path / "dist" / "js"
    out.mkdir(parents=True)
    for name in ("app.min.js", "app.min.js.map"):
        shutil.copy(DATA / name, out / name)
    return tmp_path / "dist"


def test_upload_list_delete(
    build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--dsn", f"chdb://{tmp_path / 'data'}"]
    upload = ["sourcemaps", "upload", *store, "--site", "shop", "--release", "r1"]
    assert main([*upload, "--url-prefix", "/static", str(build)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("/static/js/app.min.js  2,272 B  (with its minified file)")
    assert f"1 map(s) stored for site shop, release r1 in {tmp_path / 'data.sourcemaps'}" in err

    assert main(["sourcemaps", "list", *store, "--format", "json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["site"], entry["release"], entry["path"]) == (
        "shop",
        "r1",
        "/static/js/app.min.js",
    )

    assert main(["sourcemaps", "delete", *store, "--site", "shop", "--release", "r1"]) == 0
    assert "1 map(s) deleted" in capsys.readouterr().err
    assert main(["sourcemaps", "list", *store]) == 0
    assert "no source maps" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--site", "../x", "--release", "r1"], "site '../x' is not a site id"),
        (["--site", "shop", "--release", "r\n1"], "printable characters"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], says: str
) -> None:
    argv = ["sourcemaps", "upload", "--dsn", f"chdb://{tmp_path / 'data'}", *extra, str(build)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and err.count("\n") == 1


def test_a_broken_map_names_its_file(
    build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (build / "js" / "app.min.js.map").write_text("{ not json")
    argv = ["sourcemaps", "upload", "--dsn", f"chdb://{tmp_path / 'data'}", "--site", "shop"]
    assert main([*argv, "--release", "r1", str(build)]) == 2
    assert "app.min.js.map: not a valid source map" in capsys.readouterr().err


def test_deleting_what_is_not_there_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sourcemaps", "delete", "--dsn", f"chdb://{tmp_path / 'data'}", "--site", "shop"]
    assert main([*argv, "--release", "r9"]) == 2
    assert "no source map stored for site shop, release r9" in capsys.readouterr().err
