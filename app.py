"""Echo Director web app: `python app.py [--host H] [--port P] [--home DIR] [--password PW] ...`.

Listens on 127.0.0.1 unless told otherwise; listening anywhere else requires a password (--password or
ECHO_PASSWORD), which then guards every page and file behind Gradio's login.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from director.settings import Settings, add_settings_flags, settings_from_flags
from generator.errors import EchoError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description="Open the Echo Director in your browser.")
    parser.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1; others need a password)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860; 0 = any free port)")
    parser.add_argument("--password", default=None, help="login password (env ECHO_PASSWORD); required off localhost")
    add_settings_flags(parser)
    parser.add_argument("--review", action="store_true", default=None, help="pause after every shot for review")
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    return settings_from_flags(args, host=args.host, port=args.port, password=args.password, review_mode=args.review)


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
