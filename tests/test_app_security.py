"""The app's front door: loopback by default, a password off localhost, and files served only from the home."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from director.settings import Settings
from director.ui import server
from director.ui.guard import RequestGuard
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


def http_request(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.fixture
def open_app(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The app on a free loopback port without a password, over a home with a project's media and data files."""
    home = tmp_path / "home"
    demo, url = server.start(Settings(home=home, port=0))
    yield url.rstrip("/"), home
    demo.close()


def test_only_media_of_the_home_are_served(open_app: tuple[str, Path], tmp_path: Path) -> None:
    url, home = open_app
    outside = tmp_path / "secret.txt"
    outside.write_text("outside the home")
    media = home / "projects" / "1" / "takes" / "key.png"
    media.parent.mkdir(parents=True)
    media.write_bytes(b"png")
    (home / "chroma").mkdir(exist_ok=True)
    (home / "chroma" / "chroma.sqlite3").write_bytes(b"index")
    for name in ("workspace.sqlite-wal", "checkpoints.sqlite", "logs/errors.log", "locks/project-1.lock"):
        (home / name).parent.mkdir(exist_ok=True)
        (home / name).touch()
    private = ["workspace.sqlite", "workspace.sqlite-wal", "checkpoints.sqlite", "chroma/chroma.sqlite3",
               "logs/errors.log", "locks/project-1.lock", "ui/probe.txt"]  # fmt: skip
    (home / "ui" / "probe.txt").write_text("not media")

    for route in ("/gradio_api/file=", "/file="):
        assert http_request(url + route + str(media))[0] == (200 if route.startswith("/gradio") else 404)
        for name in private:
            for path in (str(home / name), str(home / "projects" / ".." / name)):
                assert http_request(url + route + path)[0] in (403, 404), (route, name)
        for path in (str(outside), str(REPO / "pyproject.toml"), "/etc/passwd", str(home / ".." / "secret.txt")):
            assert http_request(url + route + path)[0] in (403, 404), path
    assert Path(os.environ["GRADIO_TEMP_DIR"]).is_relative_to(home.resolve())


def test_a_foreign_host_is_refused(open_app: tuple[str, Path]) -> None:
    url, _ = open_app
    port = urllib.parse.urlsplit(url).port
    assert http_request(url + "/config")[0] == 200
    assert http_request(url + "/config", headers={"Host": f"localhost:{port}"})[0] == 200
    status, headers, body = http_request(url + "/config", headers={"Host": f"attacker.example:{port}"})
    assert status == 403 and b"unknown host" in body and "access-control-allow-credentials" not in headers


def test_cross_origin_requests_and_uploads_are_refused(open_app: tuple[str, Path]) -> None:
    url, home = open_app
    boundary = "echo-boundary"
    upload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x.html\"\r\n"
              f"Content-Type: text/html\r\n\r\n<script>alert(1)</script>\r\n--{boundary}--\r\n").encode()  # fmt: skip
    form = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    before = sorted(p.name for p in (home / "ui" / "cache").rglob("*"))

    for origin in ("http://attacker.example", "null", "http://localhost:1"):
        status, headers, _ = http_request(f"{url}/gradio_api/upload", upload, {**form, "Origin": origin})
        assert status == 403 and "access-control-allow-origin" not in headers, origin
        assert http_request(url + "/config", headers={"Origin": origin})[0] == 403
    assert sorted(p.name for p in (home / "ui" / "cache").rglob("*")) == before

    same_origin = {**form, "Origin": url}
    status, _, body = http_request(f"{url}/gradio_api/upload", upload, same_origin)
    assert status == 200
    stored = json.loads(body)[0]
    status, headers, _ = http_request(f"{url}/gradio_api/file={stored}")
    assert status == 200 and headers["content-disposition"].startswith("attachment"), headers  # never a page
    assert not headers["content-type"].startswith("text/html") and headers["x-content-type-options"] == "nosniff"


def test_the_guard_serves_active_files_as_sandboxed_downloads() -> None:
    import asyncio

    async def page(scope: dict, receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"image/svg+xml"), (b"content-disposition", b"inline"),
            (b"access-control-allow-origin", b"http://localhost:1")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b"<svg onload=alert(1)/>"})

    sent: list[dict] = []

    async def collect(message: dict) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request"}

    guard = RequestGuard(page, frozenset({"127.0.0.1"}))
    scope = {"type": "http", "path": "/gradio_api/file=/home/x.svg", "headers": [(b"host", b"127.0.0.1:7860")]}
    asyncio.run(guard(scope, receive, collect))
    headers = dict(sent[0]["headers"])
    assert headers[b"content-disposition"] == b"attachment" and headers[b"content-security-policy"] == b"sandbox"
    assert b"access-control-allow-origin" not in headers and headers[b"x-content-type-options"] == b"nosniff"


def test_wrong_passwords_are_throttled() -> None:
    check = server.PasswordCheck("open sesame", max_failures=3, window_s=0.5, delay_s=0.0)
    assert not any(check("me", "guess") for _ in range(3))
    assert not check("me", "open sesame")  # throttled: even the right password waits for the window
    time.sleep(0.6)
    assert check("me", "open sesame")


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
