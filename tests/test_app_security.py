"""The app's front door: loopback by default, a password off localhost, and files served only from the home."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from director.settings import Settings
from director.ui import server
from generator.errors import EchoError

REPO = Path(__file__).resolve().parents[1]


def load_app_module() -> ModuleType:
    """app.py is a script, not a package module."""
    spec = importlib.util.spec_from_file_location("echo_app_entry", REPO / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def http_status(url: str, data: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(url, data=data, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True), ("0.0.0.0", False),
     ("192.168.1.20", False), ("::", False), ("example.org", False)],
)  # fmt: skip
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert server.is_loopback(host) is loopback


def test_default_binding_is_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ECHO_HOST", "ECHO_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    app = load_app_module()
    settings = app.settings_from_args(app.build_parser().parse_args(["--home", str(tmp_path)]))
    assert settings.host == "127.0.0.1" and settings.password is None
    server.check_exposure(settings)


def test_exposed_host_without_password_is_refused() -> None:
    with pytest.raises(EchoError, match="without a password"):
        server.check_exposure(Settings(host="0.0.0.0"))
    server.check_exposure(Settings(host="0.0.0.0", password="s3cret"))


def test_app_refuses_to_start_exposed_without_password(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ECHO_PASSWORD"}
    result = subprocess.run(
        [sys.executable, "app.py", "--host", "0.0.0.0", "--home", str(tmp_path / "home")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "without a password" in result.stderr and "--password" in result.stderr
    assert not (tmp_path / "home").exists()


def test_bad_setting_is_reported_not_raised(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "app.py", "--width", "300", "--home", str(tmp_path / "home")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "multiple of 32" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def guarded_app(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The app on a free loopback port with a password, over an empty home."""
    home = tmp_path / "home"
    demo, url = server.start(Settings(home=home, port=0, password="open sesame"))
    yield url.rstrip("/"), home
    demo.close()


def test_password_guards_pages_and_files(guarded_app: tuple[str, Path]) -> None:
    url, home = guarded_app
    inside = home / "ui" / "probe.txt"
    inside.write_text("inside the home")
    file_url = f"{url}/gradio_api/file={inside}"

    assert http_status(f"{url}/config") == 401
    assert http_status(file_url) == 401
    wrong = urllib.parse.urlencode({"username": "me", "password": "nope"}).encode()
    assert http_status(f"{url}/login", wrong) == 400


def test_password_login_then_gradio_client(guarded_app: tuple[str, Path]) -> None:
    from gradio_client import Client

    url, _ = guarded_app
    client = Client(url, auth=("anyone", "open sesame"), verbose=False)
    status = client.predict("", "", "", "preview", 320, 192, False, api_name="/apply_settings")
    assert status.startswith("Applied:") and "320x192" in status


def test_only_files_inside_the_home_are_served(tmp_path: Path) -> None:
    home = tmp_path / "home"
    outside = tmp_path / "secret.txt"
    outside.write_text("outside the home")
    demo, url = server.start(Settings(home=home, port=0))
    try:
        inside = home / "ui" / "probe.txt"
        inside.write_text("inside the home")
        base = url.rstrip("/") + "/gradio_api/file="
        assert http_status(base + str(inside)) == 200
        assert http_status(base + str(outside)) == 403
        assert http_status(base + str(REPO / "pyproject.toml")) == 403
        assert http_status(base + "/etc/passwd") == 403
        assert http_status(base + str(home / ".." / "secret.txt")) == 403
        assert Path(os.environ["GRADIO_TEMP_DIR"]).is_relative_to(home.resolve())
    finally:
        demo.close()


def test_cache_copies_older_than_a_day_are_swept_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GRADIO_TEMP_DIR", "GRADIO_EXAMPLES_CACHE", "GRADIO_ANALYTICS_ENABLED", "GRADIO_SSR_MODE"):
        monkeypatch.setenv(name, "")  # restored (or removed) after the test: configure_gradio sets them
    cache = tmp_path / server.UI_FOLDER / "cache"
    old, fresh = cache / "a1b2" / "old.mp4", cache / "c3d4" / "fresh.mp4"
    for path in (old, fresh):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x" * 1000)
    two_days_ago = old.stat().st_mtime - 2 * server.CACHE_MAX_AGE_S
    os.utime(old, (two_days_ago, two_days_ago))

    server.configure_gradio(Settings(home=tmp_path))

    assert not old.exists() and not old.parent.exists()
    assert fresh.read_bytes() == b"x" * 1000
    assert os.environ["GRADIO_TEMP_DIR"] == str(cache)
