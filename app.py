"""Echo Director web app: `python app.py [--host H] [--port P] [--home DIR] [--password PW] ...`.

Listens on 127.0.0.1 unless told otherwise; listening anywhere else requires a password (--password or
ECHO_PASSWORD), which then guards every page and file behind Gradio's login.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from director.errors import EchoError
from director.settings import Settings, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description="Open the Echo Director in your browser.")
    parser.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1; others need a password)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860; 0 = any free port)")
    parser.add_argument("--home", default=None, help="project home (env ECHO_HOME, default ./echo_home)")
    parser.add_argument("--password", default=None, help="login password (env ECHO_PASSWORD); required off localhost")
    parser.add_argument("--backend", default=None, choices=["preview", "echo"], help="generator backend")
    parser.add_argument("--model-dir", default=None, help="local JoyAI-Echo pipeline folder (echo backend)")
    parser.add_argument("--llm-base-url", default=None, help="OpenAI-compatible endpoint; none = offline planner")
    parser.add_argument("--llm-model", default=None)
    parser.add_argument("--width", type=int, default=None)
    parser.add_argument("--height", type=int, default=None)
    parser.add_argument("--review", action="store_true", default=None, help="pause after every shot for review")
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    return load_settings(
        host=args.host,
        port=args.port,
        home=args.home,
        password=args.password,
        backend=args.backend,
        model_dir=args.model_dir,
        llm_base_url=args.llm_base_url,
        llm_model=args.llm_model,
        width=args.width,
        height=args.height,
        review_mode=args.review,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from_args(args)
        from director.ui.server import check_exposure, serve

        check_exposure(settings)
        serve(settings)
    except EchoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # pydantic's ValidationError for a bad flag or ECHO_* value
        print(f"error: invalid setting: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
