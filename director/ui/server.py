"""Start the app's web server: only media of the project home are served, and a password guards it when one is set.

Gradio keeps uploads and copies of every file it shows in its cache folder; pointing that folder into the
home (`home/ui/cache`) means the server hands out nothing from outside the home. Of the home itself only the
media folders (`projects/`, `exports/`) are served, never the databases, checkpoints, index, locks or logs, and
`guard.RequestGuard` refuses foreign Host names and cross-origin requests. Wrong passwords are throttled.
Cached copies older than a day are swept while the app runs and at start (Gradio's own sweep only knows the
files of the current run). Analytics and remote fonts are off so the app never reaches the network.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from director.settings import Settings
from director.ui.guard import LOOPBACK_HOSTS, RequestGuard
from generator.errors import EchoError

UI_FOLDER = "ui"
CACHE_MAX_AGE_S = 24 * 3600
CACHE_SWEEP_EVERY_S = 3600
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
PRIVATE_FOLDERS = ("locks", "logs", "orphans", "staging", "skills")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings) -> None:
    """Refuse to listen beyond this machine without a password."""
    if not is_loopback(settings.host) and not settings.password:
        raise EchoError(
            f"refusing to listen on {settings.host} without a password: anyone who can reach this machine could "
            "use it. Add --password SECRET (or set ECHO_PASSWORD), or drop --host to stay on 127.0.0.1."
        )


def prune_cache(cache: Path, max_age_s: float = CACHE_MAX_AGE_S) -> int:
    """Delete cached copies older than `max_age_s` (and the folders they leave empty); returns bytes freed."""
    cutoff = time.time() - max_age_s
    freed = 0
    for folder, _dirs, files in os.walk(cache, topdown=False):
        for name in files:
            path = Path(folder) / name
            try:
                info = path.lstat()
                if info.st_mtime < cutoff:
                    path.unlink()
                    freed += info.st_size
            except OSError:
                continue  # vanished or in use by another app on this home: leave it
        if folder != str(cache):
            with contextlib.suppress(OSError):  # not empty
                Path(folder).rmdir()
    return freed


def configure_gradio(settings: Settings) -> None:
    """Set Gradio's folders and telemetry before gradio is imported (it reads some of these at import)."""
    cache = settings.home_dir / UI_FOLDER / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    prune_cache(cache)
    os.environ["GRADIO_TEMP_DIR"] = str(cache)
    os.environ["GRADIO_EXAMPLES_CACHE"] = str(cache / "examples")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("GRADIO_SSR_MODE", "False")


class PasswordCheck:
    """Gradio's auth function. After `max_failures` wrong passwords within `window_s` seconds every attempt is
    refused (even the right one) until the window has passed, and each wrong one costs `delay_s`: guessing runs
    at a few tries a minute."""

    def __init__(self, password: str, max_failures: int = 5, window_s: float = 60.0, delay_s: float = 1.0) -> None:
        self.password = password.encode()
        self.max_failures, self.window_s, self.delay_s = max_failures, window_s, delay_s
        self._failures: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, _username: str, attempt: str) -> bool:
        now = time.monotonic()
        with self._lock:
            self._failures = [at for at in self._failures if now - at < self.window_s]
            throttled = len(self._failures) >= self.max_failures
            correct = not throttled and hmac.compare_digest(attempt.encode(), self.password)
            if not correct:
                self._failures.append(now)
        if not correct:
            time.sleep(self.delay_s)
        return correct


def served_paths(settings: Settings) -> tuple[list[str], list[str]]:
    """(allowed, blocked) paths for Gradio's file route: the home's media folders, never its data files."""
    layout = settings.home_layout
    allowed = [layout.root / "projects", layout.root / "exports"]
    database = layout.database_path
    blocked = [database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")]
    blocked += [layout.checkpoint_path, layout.chroma_dir] + [layout.root / name for name in PRIVATE_FOLDERS]
    return [str(path) for path in allowed], [str(path) for path in blocked]


def allowed_hosts(settings: Settings) -> frozenset[str] | None:
    """The Host names the app answers to: loopback names when it listens on loopback; any when it is exposed
    (with a password, see check_exposure) on a name of the operator's choosing."""
    return LOOPBACK_HOSTS | {settings.host.lower()} if is_loopback(settings.host) else None


def launch_options(settings: Settings) -> dict[str, Any]:
    import gradio as gr

    from director.ui.layout import CSS, PAGE_JS

    allowed, blocked = served_paths(settings)
    options: dict[str, Any] = {
        "server_name": settings.host,
        "server_port": settings.port or None,
        "allowed_paths": allowed,
        "blocked_paths": blocked,
        "max_file_size": settings.upload_max_bytes,
        "show_error": True,
        # Skip Gradio's one 3-second "is localhost reachable?" probe: on a busy machine it times out and the app
        # stops with advice to share it publicly. The server is up when launch returns either way.
        "_frontend": False,
        "footer_links": [],
        "css": CSS,
        "js": PAGE_JS,
        # System fonts: the default theme would fetch Google Fonts from the browser.
        "theme": gr.themes.Default(
            font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
        ),
    }
    if settings.password:
        options["auth"] = PasswordCheck(settings.password)
        options["auth_message"] = "Enter the app password (--password / ECHO_PASSWORD); any user name works."
    return options


def create(settings: Settings) -> Any:
    configure_gradio(settings)
    from director.ui.context import AppContext
    from director.ui.layout import build_app

    return build_app(AppContext(settings)).queue(default_concurrency_limit=4)


def warm_up() -> None:
    """Load the retrieval embedding model in the background while the user reads the page, so the first shot
    after "Approve" does not wait for it (it takes most of that wait on a cold process)."""

    def load() -> None:
        from workspace.index import OfflineMiniLM

        try:
            OfflineMiniLM()(["warm up"])
        except EchoError as error:
            print(f"warning: {error}", file=sys.stderr)

    threading.Thread(target=load, name="echo-warm-up", daemon=True).start()


def guard(demo: Any, settings: Settings) -> None:
    """Put the RequestGuard in front of everything Gradio serves, its CORS layer included: uvicorn hands each new
    connection the app in its config (Gradio's own start-up probe is the only request before this)."""
    config = demo.server.config
    config.loaded_app = RequestGuard(config.loaded_app, allowed_hosts(settings))


def serve(settings: Settings) -> None:
    """Run until interrupted (app.py)."""
    demo = create(settings)
    warm_up()
    demo.launch(prevent_thread_lock=True, **launch_options(settings))
    guard(demo, settings)
    demo.block_thread()


def start(settings: Settings) -> tuple[Any, str]:
    """Run in a background thread (tests, benches); returns the Blocks (call `.close()`) and the local URL."""
    demo = create(settings)
    _, local_url, _ = demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(settings))
    guard(demo, settings)
    return demo, local_url
