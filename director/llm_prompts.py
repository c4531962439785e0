"""Every word the LLM planner sends besides the skills: the task of each stage, and the project, shot, story
and plan rendered as prompt text. Briefs and drafts are formatted for the model here and nowhere else.

Also the internal answer shapes of long-film planning (`PlanOutline`, `ShotBatch`): a film of more than
`MAX_SHOTS_PER_CALL` shots is outlined first, then written part by part.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from director.briefs import CardBrief, LineBrief, ProjectBrief, SceneBrief, ShotBrief, ShotLine
from director.schemas import CharacterSpec, PromptOverflow, SceneSpec, ShotPlanDraft, ShotSpec, StoryDraft
from generator.text import clip

MAX_SHOTS_PER_CALL = 12
IDEA_CHARS = 1500
TURN_CHARS = 400
SHORT_SHOT_CHARS = 110

ROUTE_TASK = (
    "Choose the one intent of the creator's latest message and fill only the fields that intent uses, as the "
    "routing guidance says. Shot numbers are the 1-based numbers listed under Shots. Copy the instruction, cleaned "
    "up, into `feedback`. For `question`, answer in `reply` from the project shown; for `cannot`, say in `reply` "
    "what cannot be done and how to do it instead."
)
CLARIFY_TASK = (
    "Check whether this idea has what a shot plan needs (who, where, what happens). Only when something essential "
    "is missing, list it in `missing` and ask at most three short questions; otherwise return empty lists."
)
STORY_TASK = (
    "Write the global story description the creator will confirm: a title, several sentences covering setup, "
    "discovery, conflict, climax and resolution, and one visual style sentence. Keep a pasted screenplay verbatim "
    "in `screenplay`. Set `language` to the idea's language code (en, zh, ...). List every person or creature in "
    "`cast`, every place in `places` and the events in order in `beats`."
)
PLAN_RULES = (
    "Use only the declared character and scene names; at most two characters per shot; every dialogue speaker "
    "appears in its shot; durations up to 9.64 s, with at most 20 words (or Chinese characters) of dialogue per 10 s "
    "of shot. A card's identity begins with the name and 'is'; clothing says what is worn; voice is an 8-14 word "
    "timbre. For a Chinese story write every card, scene and shot field in Chinese; otherwise write them in English "
    "with the dialogue in the story's language. Follow the creator's own text: keep a screenplay's scenes, "
    "characters and lines word for word."
)
FIT_TASK = (
    "One shot's compiled prompt is over the generator's limit. Rewrite only this shot so each of its fields fits "
    "its budget: keep `scene` and `characters` exactly, keep what happens and who says what, shorten the wording "
    "and drop secondary detail. The card sentences (identity, appearance, clothing, voice), the style and the scene "
    "are repeated in every shot and cannot change here, so only this shot's own fields may shrink. Return the "
    "whole shot."
)
REVISE_TASK = (
    "Localise the creator's feedback on this shot: set only the condition fields that must change (leave the "
    "others null), list memory labels of the current take to drop when the feedback blames carried-over "
    "appearance or voice, and explain the change in `diagnosis`."
)
CRITIQUE_TASK = (
    "Review this shot's plan and compiled prompt. `ok` is false only for concrete problems, listed in `issues`. "
    "When changing this shot's own fields resolves them, put that change in `fix` (only the fields that change; "
    "cards are never changed here)."
)


class SceneOutline(SceneSpec):
    shots: int = Field(ge=1, description="How many shots this scene gets")
    summary: str = Field(default="", description="What happens in this scene, one or two sentences")

    def card(self) -> SceneSpec:
        return SceneSpec.model_validate(self.model_dump(include=set(SceneSpec.model_fields)))


class PlanOutline(BaseModel):
    """The first answer for a long film: every card, and the scenes in film order with their shot counts."""

    characters: list[CharacterSpec] = Field(default_factory=list)
    scenes: list[SceneOutline] = Field(min_length=1, description="In film order, each name once")


class ShotBatch(BaseModel):
    """One part of a long film's shots."""

    shots: list[ShotSpec] = Field(min_length=1)


def plan_task(num_shots: int | None, default_shots: int) -> str:
    count = f"exactly {num_shots}" if num_shots else f"a sensible number of (about {default_shots})"
    return f"Turn the confirmed story into character cards, scene cards and {count} shots. {PLAN_RULES}"


def outline_task(num_shots: int | None, default_shots: int) -> str:
    count = f"exactly {num_shots}" if num_shots else f"about {default_shots}"
    return (
        f"This film is long, so it is planned in parts. First write every character card, and the scenes in film "
        f"order, each with its card fields, a short `summary` of what happens there and how many `shots` it gets; "
        f"the scene shot counts add up to {count}. Scene names are unique: a place visited twice gets a second "
        f"name (e.g. 'Library, later'). Card sentences are repeated verbatim in every shot, so write them concretely."
    )


def batch_task(first: int, last: int, total: int) -> str:
    return (
        f"Write shots {first}-{last} of the {total}-shot film, exactly {last - first + 1} shots, continuing from the "
        f"shots so far and in the scenes the outline gives each number. {PLAN_RULES}"
    )


def route_input(message: str, brief: ProjectBrief) -> str:
    return f"## Project\n{project_text(brief)}\n\n## The creator's latest message\n{message}"


def story_input(idea: str, feedback: str, previous: StoryDraft | None) -> str:
    parts = [f"Idea:\n{idea}"]
    if previous is not None:
        parts.append(f"Current draft (JSON):\n{previous.model_dump_json()}")
    if feedback:
        parts.append(f"Apply this feedback to the draft:\n{feedback}")
    return "\n\n".join(parts)


def batch_input(story: StoryDraft, idea: str, outline: PlanOutline, done: Sequence[ShotSpec]) -> str:
    """The story, the cards, the outline with each scene's shot numbers, and the shots so far in short form."""
    lines = [story_text(story, idea), "## Characters (names exactly as written)"]
    lines += [character_text(card) for card in outline.characters] or ["(none)"]
    lines.append("## Scene outline (shot numbers per scene)")
    number = 1
    for scene in outline.scenes:
        last = number + scene.shots - 1
        lines.append(
            f"- shots {number}-{last}: {scene_spec_text(scene)}" + (f" {scene.summary}" if scene.summary else "")
        )
        number = last + 1
    lines.append("## Shots so far")
    lines += [short_shot(n, shot) for n, shot in enumerate(done, start=1)] or ["(none: this part starts the film)"]
    return "\n".join(lines)


def fit_input(plan: ShotPlanDraft, index: int, overflow: PromptOverflow) -> str:
    shot = plan.shots[index]
    names = set(shot.characters)
    budgets = ", ".join(f"{field} {chars}" for field, chars in overflow.budgets.items())
    lines = [
        f"## Measured\nShot {overflow.shot_number} of {len(plan.shots)} compiles to {overflow.prompt_chars} "
        f"characters; the limit is {overflow.limit}, so it is {overflow.over_by} over. Card sentences, style and "
        f"scene take {overflow.fixed_chars} of them and are fixed.",
        f"## Budgets (most characters per field; each dialogue line counts its text + 4)\n{budgets}",
        "## Its characters (fixed)",
        *([character_text(card) for card in plan.characters if card.name in names] or ["(none)"]),
        "## Its scene (fixed)",
        *[scene_spec_text(scene) for scene in plan.scenes if scene.name == shot.scene],
        f"## The shot now (JSON)\n{shot.model_dump_json()}",
        "## Neighbours",
        *[short_shot(n + 1, plan.shots[n]) for n in (index - 1, index + 1) if 0 <= n < len(plan.shots)],
    ]
    return "\n".join(lines)


def revision_input(shot: ShotBrief, feedback: str) -> str:
    return f"## Shot\n{shot_text(shot)}\n\n## Feedback\n{feedback}"


def critique_input(shot: ShotBrief) -> str:
    return f"## Shot\n{shot_text(shot)}"


def project_text(brief: ProjectBrief) -> str:
    """The router's view: story, cast, scenes, one line per shot, recent turns and the pending question."""
    names = {card.char_id: card.name for card in brief.characters}
    lines = [f"Language: {brief.language}"]
    if brief.idea:
        lines.append(f"Idea: {clip(brief.idea, IDEA_CHARS)}")
    story = brief.story
    if story is None:
        lines.append("Story: none yet")
    else:
        state = "confirmed" if story.confirmed else "draft, not confirmed yet"
        lines.append(f"Story v{story.version} ({state}): {story.title}\nSynopsis: {story.synopsis}")
        if story.style:
            lines.append(f"Style: {story.style}")
        if story.has_screenplay:
            lines.append("A screenplay was pasted and is kept with the story.")
    lines.append("## Characters")
    lines += [card_text(card) for card in brief.characters] or ["(none yet)"]
    lines.append("## Scenes")
    lines += [f"- {scene_text(scene)}" for scene in brief.scenes] or ["(none yet)"]
    lines.append(f"## Shots ({len(brief.shots)}): number. scene | people | length | status, take, memory | action")
    lines += [shot_line_text(line, names) for line in brief.shots] or ["(none planned yet)"]
    lines.append("## Recent conversation (oldest first)")
    lines += [
        f"{'creator' if turn.role == 'user' else 'director'}: {clip(turn.text, TURN_CHARS)}"
        for turn in brief.recent_turns
    ] or ["(none)"]
    question = brief.pending_question
    lines.append(f"## Pending question\n{question}" if question else "## Pending question\n(none)")
    return "\n".join(lines)


def shot_text(shot: ShotBrief) -> str:
    """One shot for revision and critique: its fields, cards, scene, neighbours, take and compiled prompt."""
    names = {card.char_id: card.name for card in shot.characters}
    lines = [
        f"Shot {shot.number} of {shot.shot_count} ({shot.status}), {shot.duration_s:.2f} s ({shot.num_frames} "
        f"frames), language {shot.language}",
        f"Scene: {scene_text(shot.scene)}" if shot.scene else "Scene: (none)",
        "Characters:",
        *([card_text(card) for card in shot.characters] or ["(none)"]),
        f"Action: {shot.action or '(none)'}",
        "Dialogue:",
        *([dialogue_line(line) for line in shot.dialogue] or ["(none)"]),
        f"Camera: {shot.camera or '(none)'}",
        f"Sound effects: {shot.sound_effects or '(none)'}",
        f"Music: {shot.music or '(none)'}",
        f"Style: {shot.style or '(none)'}",
    ]
    for label, neighbour in (("Previous shot", shot.previous), ("Next shot", shot.next)):
        if neighbour is not None:
            lines.append(f"{label}: {shot_line_text(neighbour, names)}")
    if shot.take is not None:
        take = shot.take
        memory = ", ".join(take.memory) or "none"
        overflow = f"; {take.speech_overflow_s:.2f} s of speech did not fit" if take.speech_overflow_s else ""
        lines.append(
            f"Current take: v{take.version} ({take.status}, {take.backend}, seed {take.seed}); memory labels used: "
            f"{memory}{overflow}"
        )
    else:
        lines.append("Current take: none yet")
    lines.append(f"Compiled prompt:\n{shot.prompt}" if shot.prompt else "Compiled prompt: (not compiled yet)")
    return "\n".join(lines)


def story_text(story: StoryDraft, idea: str) -> str:
    """The creator's own text first (idea or screenplay), then the confirmed story with its cast, places, beats."""
    lines: list[str] = []
    if idea.strip():
        lines.append(f"## The creator's own text (idea or screenplay)\n{idea.strip()}")
    lines += [f"## Confirmed story: {story.title}", story.description, f"Language: {story.language}"]
    if story.style:
        lines.append(f"Style: {story.style}")
    if story.cast:
        lines += [
            "Cast:",
            *(f"- {entry.name}" + (f": {entry.description}" if entry.description else "") for entry in story.cast),
        ]
    if story.places:
        lines.append("Places: " + "; ".join(story.places))
    if story.beats:
        lines += ["Beats:", *(f"{n}. {beat}" for n, beat in enumerate(story.beats, start=1))]
    if story.screenplay.strip() and story.screenplay.strip() != idea.strip():
        lines.append(f"## Screenplay\n{story.screenplay.strip()}")
    return "\n".join(lines)


def card_text(card: CardBrief) -> str:
    references = [
        kind for kind, has in (("image", card.has_reference_image), ("voice", card.has_reference_audio)) if has
    ]
    fields = _fields(card.identity, card.appearance, card.clothing, card.voice)
    return f"- {card.char_id} {card.name}: {fields}" + (f" [reference {', '.join(references)}]" if references else "")


def character_text(card: CharacterSpec) -> str:
    return f"- {card.name}: {_fields(card.identity, card.appearance, card.clothing, card.voice)}"


def scene_text(scene: SceneBrief) -> str:
    return f"{scene.scene_id} {scene_spec_text(scene)}"


def scene_spec_text(scene: SceneSpec | SceneBrief) -> str:
    place = ", ".join(part for part in (scene.location, scene.time_of_day) if part)
    return scene.name + (f" ({place})" if place else "") + (f": {scene.description}" if scene.description else "")


def shot_line_text(line: ShotLine, names: dict[str, str]) -> str:
    people = ", ".join(f"{char_id} {names.get(char_id, '')}".strip() for char_id in line.characters) or "nobody"
    if line.version is None:
        take = f"{line.status}, no take yet"
    else:
        memory = f", memory: {', '.join(line.memory)}" if line.memory else ""
        take = f"{line.status}, take v{line.version}{memory}"
    said = f" / {line.first_line}" if line.first_line else ""
    return f"{line.number}. {line.scene_id} | {people} | {line.duration_s:g} s | {take} | {line.summary}{said}"


def short_shot(number: int, shot: ShotSpec) -> str:
    first = f" / {shot.dialogue[0].speaker}: {shot.dialogue[0].text}" if shot.dialogue else ""
    people = ", ".join(shot.characters) or "nobody"
    return f"{number}. {shot.scene} | {people} | " + clip(f"{shot.action}{first}", SHORT_SHOT_CHARS)


def dialogue_line(line: LineBrief) -> str:
    return f'- {line.speaker} {line.speaker_name}: "{line.text}"'


def _fields(identity: str, appearance: str, clothing: str, voice: str) -> str:
    named = (("identity", identity), ("appearance", appearance), ("clothing", clothing), ("voice", voice))
    return "; ".join(f'{name} "{value}"' for name, value in named if value) or "(no sentences yet)"
