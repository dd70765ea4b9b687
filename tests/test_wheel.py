"""The product installs as a wheel: built from this checkout, installed with pip into a new
virtual environment, then initialised, loaded with the demo, checked and served by gunicorn
from an empty folder, with no source checkout on the path.

The environment is made once per module: the build and pip installing the dependencies from
the index take about a minute. htmx is part of the wheel but not of git (``make install``
copies it from the npm package): without it these tests are skipped, unless ``CI=true`` or
``GUIDELINES_REQUIRE_BROWSER=1``, where a wheel without htmx is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

REPO = Path(__file__).resolve().parents[1]
HTMX = REPO / "guidelines_app/web/static/vendor/htmx.min.js"
#: What a build must not see: state, caches and stale build output of the checkout.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "instance", "build", "dist", "*.egg-info", "__pycache__",
    ".pytest_cache", ".ruff_cache", ".hypothesis", "test-artifacts",
)  # fmt: skip
STARTUP_SECONDS = 60


def _environment(**extra: str) -> dict[str, str]:
    """The machine's environment without anything pointing at a checkout or a test setup."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
        and not name.startswith(("GUIDELINES_", "TEST_", "PYTEST_"))
    }
    return {**env, **extra}


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str], timeout: float = 600):
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
    )
    return result


def _require_htmx() -> None:
    if HTMX.is_file():
        return
    reason = f"htmx is not installed at {HTMX.relative_to(REPO)} (make install)"
    if os.environ.get("CI") == "true" or os.environ.get("GUIDELINES_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the wheel test is required but cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment: nothing of the test run's own environment is in it."""
    _require_htmx()
    venv = tmp_path_factory.mktemp("wheel") / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=venv.parent, env=_environment())
    return venv


@pytest.fixture(scope="module")
def wheel(venv: Path) -> Path:
    """The wheel, built by the new environment's pip from a copy of the checkout, so stale
    build output in the checkout cannot leak into it and the checkout is left untouched."""
    root = venv.parent
    source = root / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCES)
    pip = [venv / "bin" / "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", root / "dist"]
    _run([*pip, source], cwd=root, env=_environment())
    shutil.rmtree(source)
    (built,) = (root / "dist").glob("guidelines_app-*.whl")
    return built


def test_the_wheel_carries_migrations_starter_content_templates_static_files_and_demo_data(
    wheel,
):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        *(f"guidelines_app/{p.relative_to(REPO).as_posix()}" for p in _files("migrations")),
        *(f"guidelines_app/{p.relative_to(REPO).as_posix()}" for p in _files("guidelines")),
        *(f"guidelines_app/{p.relative_to(REPO).as_posix()}" for p in _files("taxonomies")),
        *(p.relative_to(REPO).as_posix() for p in _files("guidelines_app/web/templates")),
        *(p.relative_to(REPO).as_posix() for p in _files("guidelines_app/web/static")),
        *(p.relative_to(REPO).as_posix() for p in _files("guidelines_app/demo/data")),
    }
    assert "guidelines_app/migrations/versions/0001_create_accounts_and_audit_log.py" in expected
    assert "guidelines_app/web/static/vendor/htmx.min.js" in expected
    assert expected - names == set()
    assert not [n for n in names if n.startswith(("migrations/", "guidelines/", "taxonomies/"))]


def _files(folder: str) -> list[Path]:
    return [
        p
        for p in (REPO / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    ]


def test_the_installed_wheel_initialises_checks_and_serves_an_empty_folder(venv, wheel, tmp_path):
    bin_ = venv / "bin"
    _run([bin_ / "pip", "install", "--quiet", wheel], cwd=tmp_path, env=_environment())
    site = tmp_path / "site"
    site.mkdir()
    env = _environment(GUIDELINES_DATA_DIR=str(site / "data"))

    probe = (
        "import guidelines_app, guidelines_app.resources as r\n"
        "print(guidelines_app.__file__)\nprint(r.migrations_dir())\n"
        "print('\\n'.join(str(f) for f in r.starter_folders().values()))\n"
    )
    printed = _run([bin_ / "python", "-c", probe], cwd=site, env=env).stdout
    paths = [Path(line) for line in printed.splitlines()]
    assert len(paths) == 4
    assert all("site-packages" in p.parts and not p.is_relative_to(REPO) for p in paths), paths

    init = _run([bin_ / "guidelines", "init"], cwd=site, env=env)
    assert "database migrated from empty to" in init.stdout
    assert "with 6 starter files" in init.stdout
    demo = _run([bin_ / "guidelines", "demo"], cwd=site, env=env)
    assert "Demo accounts" in demo.stdout
    check = _run([bin_ / "guidelines", "check"], cwd=site, env=env)
    assert "All consistent." in check.stdout
    assert sorted(p.name for p in site.iterdir()) == ["data"]

    base, server = _start_gunicorn(bin_, site, env, log=tmp_path / "gunicorn.log")
    try:
        with urllib.request.urlopen(f"{base}/login", timeout=30) as response:
            assert response.status == 200
            page = response.read().decode()
        assert 'name="username"' in page and 'name="password"' in page
        (script,) = re.findall(r'<script src="([^"]*htmx[^"]*)"', page)
        with urllib.request.urlopen(f"{base}{script}", timeout=30) as response:
            assert response.status == 200
            assert "javascript" in response.headers["Content-Type"]
            assert response.read() == HTMX.read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _start_gunicorn(bin_: Path, site: Path, env: dict[str, str], *, log: Path):
    """The README's command for a wheel, on a free loopback port gunicorn picks itself."""
    args = [str(bin_ / "gunicorn"), "--workers", "1", "--bind", "127.0.0.1:0"]
    if "--no-control-socket" in _run([args[0], "--help"], cwd=site, env=env).stdout:
        args.append("--no-control-socket")  # keep clear of other servers' control socket
    with log.open("w") as stream:
        server = subprocess.Popen(
            [*args, "guidelines_app:create_app()"],
            cwd=site,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    try:
        return _wait_for_address(server, log), server
    except BaseException:
        server.kill()
        server.wait(timeout=30)
        raise


def _wait_for_address(server: subprocess.Popen, log: Path) -> str:
    """gunicorn binds a free port itself (port 0) and says which one it got."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text()
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
        if found:
            return found.group(1)
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited {server.returncode}:\n{text[-4000:]}")
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not start within {STARTUP_SECONDS} s:\n{log.read_text()[-4000:]}")
