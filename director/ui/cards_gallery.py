"""The Cards tab's character gallery and card saving: every character as a card with a portrait (its reference
image, else the newest key frame of a shot showing it, else a neutral silhouette) and its voice to hear.

Saving a card renames through rename_character when the name changed (the name is replaced on the card, in every
shot and in the story, and shots with a take become stale) and changes the other fields through update_character
(shots with a take that show the character become stale, as after the Director's own card edits). Both calls are
checked before either is made, so a refused save changes nothing. Stale shots are then one button away from being
rendered again, through the Director's own generation run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import gradio as gr
from PIL import Image, ImageDraw
from pydantic import BaseModel, ValidationError

from director.nodes.revise import shot_list
from director.prompt_fit import caption_breaks, character_in_shot, shots_over_limit
from director.ui import views
from director.ui.context import AppContext
from director.ui.handlers import Handlers, unchanged, warning
from director.ui.tab_guard import tab_project
from director.ui.voice_sample import voice_sample
from generator.errors import EchoError, format_validation_error
from generator.prompt import anchor_sentences
from tools.cards import CARD_SENTENCES, RenameCharacterArgs, UpdateCharacterArgs
from workspace.db import Workspace
from workspace.project_view import CharacterView, ProjectState

TAB = "Cards"
PORTRAIT_SIZE = (192, 192)
_BACKGROUND, _FIGURE = (58, 60, 66), (118, 122, 132)


@dataclass(frozen=True)
class CardTile:
    char_id: str
    name: str
    details: str  # Markdown: name, id, voice, where the portrait comes from
    portrait: str | Image.Image
    portrait_source: str


@lru_cache(maxsize=1)
def blank_portrait() -> Image.Image:
    """A grey head-and-shoulders silhouette, kept in memory (Gradio caches it under the home when shown)."""
    width, height = PORTRAIT_SIZE
    image = Image.new("RGB", PORTRAIT_SIZE, _BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.34, height * 0.16, width * 0.66, height * 0.50), fill=_FIGURE)
    draw.pieslice((width * 0.16, height * 0.56, width * 0.84, height * 1.30), 180, 360, fill=_FIGURE)
    return image


def portrait_of(workspace: Workspace, state: ProjectState, card: CharacterView) -> tuple[str | Image.Image, str]:
    """(picture, where it comes from)."""
    reference = views.media_path(workspace, card.reference_image)
    if reference is not None:
        return reference, "reference image"
    taken = [(shot.current_take, shot.number) for shot in state.shots if card.char_id in shot.characters]
    showing = [(take, number) for take, number in taken if take is not None and take.keyframe_paths]
    for take, number in sorted(showing, key=lambda pair: pair[0].created_at, reverse=True):
        frame = views.media_path(workspace, take.keyframe_paths[0])
        if frame is not None:
            return frame, f"key frame of shot {number} v{take.version}"
    return blank_portrait(), "no picture yet"


def card_tiles(workspace: Workspace, state: ProjectState | None) -> list[CardTile]:
    tiles = []
    for card in state.characters if state else []:
        portrait, source = portrait_of(workspace, state, card)
        voice = views.literal(card.voice) if card.voice else "_no voice described_"
        details = f"**{views.literal(card.name)}** · {card.char_id}  \n{voice}  \n_portrait: {source}_"
        tiles.append(CardTile(card.char_id, card.name, details, portrait, source))
    return tiles


def invalid(model: type[BaseModel], **values: Any) -> str | None:
    """Why a tool would refuse these arguments, or None."""
    try:
        model(**values)
    except ValidationError as error:
        return format_validation_error(error)
    return None


def stale_shots(state: ProjectState | None) -> list[int]:
    """Shots of an approved story whose take no longer matches the plan or the cards."""
    return [n for n in views.pending_shots(state) if state.shot(n).current_take is not None]


def regenerate_label(stale: list[int]) -> str:
    return f"Regenerate affected shots: {', '.join(map(str, stale))}"


class CardsGallery:
    def __init__(self, ctx: AppContext, handlers: Handlers) -> None:
        self.ctx = ctx
        self.handlers = handlers

    def tiles(self, choice: str | None) -> list[CardTile]:
        return card_tiles(self.ctx.workspace, self.ctx.state_or_none(choice))

    def opened(self, choice: str | None) -> tuple[int | None, Any]:
        """The tab was filled from the open film: (the film it shows, or None; the regenerate button)."""
        try:
            project_id: int | None = self.ctx.project_id(choice)
        except EchoError:
            project_id = None
        return (project_id, self.regenerate_button(choice))

    def hear(self, choice: str | None, shown: int | None, char_id: str) -> tuple[Any, str]:
        """(voice player, status)."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            state = self.ctx.state(project_id)
            sample = voice_sample(self.ctx.workspace, state, state.character(char_id))
        except EchoError as error:
            gr.Warning(str(error))
            return (gr.skip(), warning(error))
        name = views.literal(state.character(char_id).name)
        if sample.source == "reference":
            return (sample.path, f"{name}'s voice sample (the reference recording).")
        return (sample.path, f"{name} in the preview voice: “{views.literal(sample.text)}”")

    def edit(self, choice: str | None, shown: int | None, char_id: str) -> tuple[Any, ...]:
        """Open a card in the editor below: (status, character dropdown, its 7 fields)."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            state = self.ctx.state(project_id)
            card = state.character(char_id)
        except EchoError as error:
            gr.Warning(str(error))
            return (warning(error), *[gr.skip()] * 8)
        dropdown = gr.update(choices=views.character_choices(state), value=char_id)
        anchors = anchor_sentences(character_in_shot(card), state.project.language)
        read_as = " ".join(f"“{views.literal(sentence)}”" for sentence in anchors)
        status = (
            f"Editing {card.char_id} below. Every caption describes them as: {read_as} (the voice only in shots "
            "where they speak)."
        )
        return (status, dropdown, *views.character_fields(self.ctx.workspace, card))

    def save_character(
        self,
        choice: str | None,
        shown: int | None,
        revision: int,
        char_id: str | None,
        name: str,
        identity: str,
        appearance: str,
        clothing: str,
        voice: str,
    ) -> tuple[str, Any, Any]:
        """(status, character dropdown, cards revision: bumped when something was saved, so the gallery redraws)."""
        fields = {"name": name, "identity": identity, "appearance": appearance, "clothing": clothing, "voice": voice}
        fields = {key: (value or "").strip() for key, value in fields.items()}
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB, unfilled_ok=True)
            if char_id in (None, views.NEW_CHARACTER):
                saved = self.ctx.call_tool("add_character", {"project_id": project_id, **fields}).data["char_id"]
                status = f"Saved {saved}."
            else:
                saved, status = char_id, self._save_card(project_id, char_id, fields)
        except EchoError as error:
            gr.Warning(str(error))
            return (warning(error), gr.skip(), gr.skip())
        state = self.ctx.state(project_id)
        return (status, gr.update(choices=views.character_choices(state), value=saved), int(revision or 0) + 1)

    def regenerate_button(self, choice: str | None) -> Any:
        state = self.ctx.state_or_none(choice)
        stale = stale_shots(state)
        if not stale:
            return gr.update(visible=views.visibility(False))
        return gr.update(value=regenerate_label(stale), visible=True)

    def regenerate(self, choice: str | None, shown: int | None) -> Iterator[tuple]:
        """Render exactly the stale shots with the Director's generation run; (director outputs..., status)."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            state = self.ctx.state(project_id)
            stale = stale_shots(state)
            if not stale:
                raise EchoError("no shot is stale; nothing to regenerate")
        except EchoError as error:
            gr.Warning(str(error))
            yield (*unchanged(), warning(error))
            return
        before = {shot.id: shot.current_take.id if shot.current_take else None for shot in state.shots}
        outputs: tuple = tuple(unchanged())
        for outputs in self.handlers.regenerate(choice, stale):
            yield (*outputs, f"Rendering {shot_list(stale)}... (the chat shows each step)")
        after = self.ctx.state(project_id).shots
        remade = [s.number for s in after if s.current_take and before.get(s.id) != s.current_take.id]
        if remade:
            yield (*outputs, f"Rendered {shot_list(remade)} again.")
        else:
            yield (*outputs, warning("no shot was rendered; the chat says why"))

    # -- internals --------------------------------------------------------------------------------------------

    def _save_card(self, project_id: int, char_id: str, fields: dict[str, str]) -> str:
        """Rename and/or update an existing card, checked in full first; the status line."""
        state = self.ctx.state(project_id)
        card = state.character(char_id)
        changed = {key: fields[key] for key in CARD_SENTENCES if fields[key] != getattr(card, key)}
        renaming = fields["name"] != card.name
        if not changed and not renaming:
            raise EchoError(f"nothing to save: {char_id}'s card already says that")
        self._check(state, card, fields["name"] if renaming else None, changed)
        notes, stale = [], set()
        if changed:
            self.ctx.call_tool("update_character", {"project_id": project_id, "char_id": char_id, **changed})
            notes.append(f"updated its {', '.join(changed)}")
            stale |= self._mark_showing_stale(state, char_id)
        if renaming:
            args = {"project_id": project_id, "char_id": char_id, "new_name": fields["name"]}
            data = self.ctx.call_tool("rename_character", args).data
            where = ["the card"] + ([shot_list(data["changed_shots"])] if data["changed_shots"] else [])
            where += [f"the story (version {data['story_version']})"] if data["story_version"] else []
            notes.append(f"renamed {views.literal(card.name)} to {views.literal(fields['name'])} in {', '.join(where)}")
            stale |= set(data["stale_shots"])
        status = f"Saved {char_id}: {'; '.join(notes)}."
        if stale:
            status += f" Now stale: {shot_list(sorted(stale))}; press **Regenerate affected shots** to render them."
        return status

    def _check(self, state: ProjectState, card: CharacterView, new_name: str | None, changed: dict[str, str]) -> None:
        """Everything the two tools would refuse, and a prompt the new card would push over the limit."""
        ids = {"project_id": state.project.id, "char_id": card.char_id}
        problems = [invalid(UpdateCharacterArgs, **ids, **changed)]
        if new_name is not None:
            named = invalid(RenameCharacterArgs, **ids, new_name=new_name) if new_name else "name: type the name"
            problems.append(named)
        if found := [problem for problem in problems if problem]:
            raise EchoError(f"not saved: {'; '.join(found)}")
        if new_name is not None:
            for other in state.characters:
                if other.char_id != card.char_id and other.name.casefold() == new_name.casefold():
                    raise EchoError(f"not saved: {other.char_id} is already called {other.name!r}; choose another name")
        edited = card.model_copy(update={**changed, "name": new_name or card.name})
        users = [shot.number for shot in state.shots if card.char_id in shot.characters]
        cards = {c.char_id: edited if c.char_id == card.char_id else c for c in state.characters}
        if over := shots_over_limit(state, users, cards):
            worst = ", ".join(f"shot {o.shot_number} by {o.over_by}" for o in over)
            raise EchoError(
                f"not saved: with this card the prompts of {shot_list([o.shot_number for o in over])} would be over "
                f"the {over[0].limit}-character limit ({worst} characters); use shorter sentences"
            )
        if broken := caption_breaks(state, users, cards):
            number, problem = next(iter(broken.items()))
            raise EchoError(
                f"not saved: with this card the captions of {shot_list(list(broken))} would break the model's "
                f"caption contract (shot {number}: {problem})"
            )

    def _mark_showing_stale(self, state: ProjectState, char_id: str) -> set[int]:
        """Shots with a take that show the character no longer match its card: mark those takes stale."""
        showing = [shot for shot in state.shots if char_id in shot.characters and shot.current_take is not None]
        if showing:
            take_ids = [shot.current_take.id for shot in showing]
            self.ctx.call_tool("mark_stale", {"project_id": state.project.id, "take_ids": take_ids})
        return {shot.number for shot in showing}
