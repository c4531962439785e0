"""Start the app's web server: only the project home is served, and a password guards it when one is set.

Gradio keeps uploads and copies of every file it shows in its cache folder; pointing that folder into the
home (`home/ui/cache`) means the server hands out nothing from outside the home. Copies older than a day are
swept while the app runs and at start (Gradio's own sweep only knows the files of the current run). Analytics
and remote fonts are off so the app never reaches the network.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from director.settings import Settings
from generator.errors import EchoError

UI_FOLDER = "ui"
CACHE_MAX_AGE_S = 24 * 3600
CACHE_SWEEP_EVERY_S = 3600
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


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


def password_check(password: str) -> Callable[[str, str], bool]:
    def check(_username: str, attempt: str) -> bool:
        return hmac.compare_digest(attempt.encode(), password.encode())

    return check


def launch_options(settings: Settings) -> dict[str, Any]:
    import gradio as gr

    from director.ui.layout import CSS

    options: dict[str, Any] = {
        "server_name": settings.host,
        "server_port": settings.port or None,
        "allowed_paths": [str(settings.home_dir)],
        "max_file_size": settings.upload_max_bytes,
        "show_error": True,
        "footer_links": [],
        "css": CSS,
        # System fonts: the default theme would fetch Google Fonts from the browser.
        "theme": gr.themes.Default(
            font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
        ),
    }
    if settings.password:
        options["auth"] = password_check(settings.password)
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


def serve(settings: Settings) -> None:
    """Run until interrupted (app.py)."""
    demo = create(settings)
    warm_up()
    demo.launch(**launch_options(settings))


def start(settings: Settings) -> tuple[Any, str]:
    """Run in a background thread (tests, benches); returns the Blocks (call `.close()`) and the local URL."""
    demo = create(settings)
    _, local_url, _ = demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(settings))
    return demo, local_url
