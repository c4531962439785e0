"""The Compare tab's handlers: two takes of one shot side by side, what changed in the prompt between them (a word
diff), each one's measured scores and the memory slots it was conditioned on, and "Use this one" (rollback_shot)
for either."""

from __future__ import annotations

import difflib
import html
import re
from typing import Any

import gradio as gr

from director.ui import views
from director.ui.context import AppContext
from director.ui.handlers import warning
from director.ui.tab_guard import tab_project
from generator.errors import EchoError
from workspace.db import Workspace
from workspace.history import HistoryManager
from workspace.project_view import ProjectState, TakeView

TAB = "Compare"
COMPARE_HINT = "Type a shot number and press **Show versions** to compare two of its takes."
_TOKENS = re.compile(r"\s+|[^\s]+")
_DELETED = "background:#fcd9d9;color:#7a1010;text-decoration:line-through"
_INSERTED = "background:#d6f5d6;color:#0e5a0e;text-decoration:none"


def words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"


def prompt_diff_html(before: str, after: str, names: tuple[str, str]) -> str:
    """`after` against `before`, word by word: removed words struck through in red, added ones in green; the
    prompts are user text, so every word is escaped."""
    if before == after:
        return f"<p>The prompts of {names[0]} and {names[1]} are identical.</p>"
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    parts, removed, added = [], 0, 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(html.escape("".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            removed += sum(1 for token in old[i1:i2] if token.strip())
            parts.append(f'<del style="{_DELETED}">{html.escape("".join(old[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            added += sum(1 for token in new[j1:j2] if token.strip())
            parts.append(f'<ins style="{_INSERTED}">{html.escape("".join(new[j1:j2]))}</ins>')
    summary = f"From {names[0]} to {names[1]}: {words(removed)} removed, {words(added)} added."
    body = "".join(parts)
    return f'<p>{summary}</p><div class="echo-diff" style="white-space:pre-wrap;line-height:1.5">{body}</div>'


def memory_labels(tiles: list[tuple[str, str]]) -> str:
    return "\n".join(f"- {views.literal(label)}" for _, label in tiles) or "_No memory: the first shot of its kind._"


def _scores_and_memory(workspace: Workspace, state: ProjectState, take: TakeView) -> str:
    """Under a take: its measured scores, then the memory slots it was conditioned on."""
    scores = f"**Scores:** {views.take_scores(state, take)}"
    return f"{scores}\n\n{memory_labels(views.memory_tiles(workspace, state, take))}"


class Compare:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def load(self, choice: str | None, number: float | None) -> tuple[Any, ...]:
        """(version A, version B, video A, memory A, video B, memory B, prompt diff, status, shown project, shown
        shot): B is the current take, A the newest other one."""
        try:
            project_id = self.ctx.project_id(choice)
            if number is None:
                raise EchoError("type a shot number first")
            takes = self._takes(project_id, int(number))
        except EchoError as error:
            empty = gr.update(choices=[], value=None)
            return (empty, empty, None, "", None, "", "", warning(error), None, None)
        choices = [(views.version_label(take), take.version) for take in takes]
        current = next((take for take in takes if take.is_current), takes[-1])
        other = next((take for take in reversed(takes) if take.version != current.version), current)
        shown = self._shown(project_id, int(number), other, current)
        return (gr.update(choices=choices, value=other.version), gr.update(choices=choices, value=current.version),
                *shown, project_id, int(number))  # fmt: skip

    def clear(self) -> tuple[Any, ...]:
        """Another film was opened: show nothing of the last one (the outputs of `load`)."""
        empty = gr.update(choices=[], value=None)
        return (empty, empty, None, "", None, "", "", COMPARE_HINT, None, None)

    def labels(self, choice: str | None, number: int | None) -> tuple[Any, Any]:
        """Both version lists relabelled (which take is current), the picked versions kept."""
        try:
            takes = self._takes(self.ctx.project_id(choice), number)
        except EchoError:
            return (gr.skip(), gr.skip())
        choices = [(views.version_label(take), take.version) for take in takes]
        return (gr.update(choices=choices), gr.update(choices=choices))

    def compare(
        self, choice: str | None, shown: int | None, number: int | None, a: int | None, b: int | None
    ) -> tuple[Any, ...]:
        """(video A, memory A, video B, memory B, prompt diff, status)."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            takes = self._takes(project_id, number)
            first, second = self._take(takes, a, number), self._take(takes, b, number)
        except EchoError as error:
            return (gr.skip(),) * 5 + (warning(error),)
        return self._shown(project_id, int(number), first, second)

    def use(self, choice: str | None, shown: int | None, number: int | None, version: int | None) -> tuple[str, Any]:
        """(status, storyboard) after making the picked take the shot's current one."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            take = self._take(self._takes(project_id, number), version, number)
            if take.is_current:
                raise EchoError(f"v{take.version} is shot {number}'s current take already; nothing was changed")
            args = {"project_id": project_id, "number": number, "version": take.version}
            data = self.ctx.call_tool("rollback_shot", args).data
        except EchoError as error:
            gr.Warning(str(error))
            return (warning(error), gr.skip())
        status = f"Shot {number} now uses v{take.version}."
        if data["stale_shots"]:
            status += f" Now stale (they remembered the replaced take): {', '.join(map(str, data['stale_shots']))}."
        if data["restored_shots"]:
            status += f" No longer stale: {', '.join(map(str, data['restored_shots']))}."
        return (status, views.storyboard(self.ctx.workspace, self.ctx.state(project_id)))

    # -- internals --------------------------------------------------------------------------------------------

    def _takes(self, project_id: int, number: int | None) -> list[TakeView]:
        if number is None:
            raise EchoError("press **Show versions** for a shot first")
        takes = HistoryManager(self.ctx.workspace).takes(project_id, int(number))
        if not takes:
            raise EchoError(f"shot {int(number)} has no takes yet; generate it first")
        return takes

    def _take(self, takes: list[TakeView], version: int | None, number: int | None) -> TakeView:
        if version is None:
            raise EchoError("pick two versions in the lists first")
        found = next((take for take in takes if take.version == int(version)), None)
        if found is None:
            valid = ", ".join(f"v{take.version}" for take in takes)
            raise EchoError(f"shot {number} has no version {int(version)}; it has {valid}")
        return found

    def _shown(self, project_id: int, number: int, first: TakeView, second: TakeView) -> tuple[Any, ...]:
        state: ProjectState = self.ctx.state(project_id)
        workspace = self.ctx.workspace
        names = (f"v{first.version}", f"v{second.version}")
        diff = prompt_diff_html(
            views.take_prompt(workspace, first) or "", views.take_prompt(workspace, second) or "", names
        )
        if first.version == second.version:
            status = f"Both sides show {names[0]}: pick another version on one side (one take only? revise the shot)."
        else:
            status = f"Shot {number}: {names[0]} (left, seed {first.seed}) and {names[1]} (right, seed {second.seed})."
        return (
            views.media_path(workspace, first.video_path),
            _scores_and_memory(workspace, state, first),
            views.media_path(workspace, second.video_path),
            _scores_and_memory(workspace, state, second),
            diff,
            status,
        )
