"""`echo-director` command line: argument parsing and dispatch. Each command lives with the stage it drives."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from pydantic import ValidationError

from director.error_log import failure_message
from director.settings import Settings, add_settings_flags, settings_from_flags
from generator.errors import EchoError, format_validation_error
from generator.text import printable

Handler = Callable[[argparse.Namespace, Settings], int]


def _load_handler(reference: str) -> Handler:
    """Handlers are named "module:function" and imported only when their command runs, so --help stays fast."""
    module_name, function_name = reference.split(":")
    return getattr(importlib.import_module(module_name), function_name)


def _project_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create a project from a title or idea")
    p.add_argument("idea")
    p.set_defaults(handler="director.commands.project:cmd_new")

    p = sub.add_parser("list", help="list projects")
    p.set_defaults(handler="director.commands.project:cmd_list")

    p = sub.add_parser("show", help="story, cards, shot plan and current takes of a project")
    p.add_argument("project")
    p.set_defaults(handler="director.commands.project:cmd_show")

    p = sub.add_parser("history", help="every take of every shot (or one shot) in version order")
    p.add_argument("project")
    p.add_argument("--shot", type=int, default=None)
    p.set_defaults(handler="director.commands.project:cmd_history")

    p = sub.add_parser("log", help="the audit log: tool calls, then LLM calls with their tokens")
    p.add_argument("project")
    p.set_defaults(handler="director.commands.log:cmd_log")


def _generator_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="render one shot from a ShotRequest JSON file")
    p.add_argument("request", help="ShotRequest JSON")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--memory", default=None, help="memory slots JSON (list of {label, key_frame, audio, ...})")
    p.set_defaults(handler="director.commands.render:cmd_render")


def _director_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="talk to the Director in the terminal")
    p.add_argument("project", nargs="?", default=None)
    p.set_defaults(handler="director.commands.conversation:cmd_chat")

    p = sub.add_parser("make", help="idea to finished shots, end to end")
    p.add_argument("idea")
    p.add_argument("--shots", type=int, default=None)
    p.add_argument("--yes", action="store_true", help="approve the story and every shot without asking")
    p.set_defaults(handler="director.commands.conversation:cmd_make")

    p = sub.add_parser("revise", help="regenerate one shot from feedback")
    p.add_argument("project")
    p.add_argument("--shot", type=int, required=True)
    p.add_argument("feedback")
    p.set_defaults(handler="director.commands.conversation:cmd_revise")

    p = sub.add_parser("generate", help="generate pending and stale shots; continues a crashed or stopped run")
    p.add_argument("project")
    p.set_defaults(handler="director.commands.conversation:cmd_generate")


def _export_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="the finished film: mp4, subtitles, chapters, manifest, timeline")
    p.add_argument("project")
    p.add_argument("--out", required=True)
    p.add_argument("--force", action="store_true", help="export even with stale or missing shots")
    p.set_defaults(handler="director.commands.export:cmd_export")

    p = sub.add_parser("evaluate", help="measure voice, speech, faces, lip sync and shot similarity of the film")
    p.add_argument("project")
    p.add_argument("--out", default=None, help="folder for evaluation.json and report.html (default: in the project)")
    p.set_defaults(handler="director.commands.evaluate:cmd_evaluate")


class OneLineErrorParser(argparse.ArgumentParser):
    """Usage mistakes are one `error:` line and exit 2, like every other failure (argparse prints the usage too).
    Sub-command parsers are of the same class."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {printable(message)}; see `{self.prog} --help`", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(prog="echo-director", description=__doc__)
    add_settings_flags(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    _project_commands(sub)
    _generator_commands(sub)
    _director_commands(sub)
    _export_commands(sub)
    for subcommand in sub.choices.values():
        add_settings_flags(subcommand, suppress=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, or a usage error already printed as one line
        return int(done.code or 0)
    try:
        settings = settings_from_flags(args)
    except ValidationError as error:
        problems = format_validation_error(error)
        print(f"error: invalid settings (CLI flags or ECHO_* environment variables): {problems}", file=sys.stderr)
        return 2
    try:
        handler = _load_handler(args.handler)
        return handler(args, settings)
    except EchoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a full disk or a bug: one line for the user, a bug's traceback in the home's log
        print(f"error: {failure_message(error, settings.home_dir, f'echo-director {args.command}')}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
