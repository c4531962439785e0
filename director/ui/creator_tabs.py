"""The creator's direct controls, built into the page by `layout.build_app`: the Story, Compare, Film, Cards and
Evaluation tabs and their events. Each tab remembers which film it was filled from (a `gr.State`); its actions
refuse, changing nothing, when another film has been opened since. Opening another film refills every one of these
tabs."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import SimpleNamespace
from typing import Any

import gradio as gr

from director.ui import views
from director.ui.cards_gallery import CardsGallery
from director.ui.compare import COMPARE_HINT, Compare
from director.ui.context import AppContext
from director.ui.editors import Editors
from director.ui.evaluation_tab import EvaluationTab
from director.ui.film import CHAPTER_HEADERS, FILM_HINT, Film
from director.ui.handlers import Handlers
from director.ui.story_editor import CAST_HEADERS, StoryEditor
from generator.errors import EchoError

REFERENCE_IMAGE_TYPES = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"]
REFERENCE_AUDIO_TYPES = [".wav", ".mp3", ".m4a", ".ogg", ".flac"]
PRIVATE = {"api_visibility": "private"}


def page_parts(
    ctx: AppContext, handlers: Handlers, editors: Editors, run: dict[str, Any], **components: Any
) -> SimpleNamespace:
    """What these tabs need from the rest of the page: the handlers, the Director's run settings and components
    (project, storyboard, summary, generate, director_outputs, settled: the summary and Generate button refresh)."""
    return SimpleNamespace(ctx=ctx, handlers=handlers, editors=editors, run=run, **components)


def _on_film_change(
    page: SimpleNamespace, shown: gr.State, fn: Callable[[str | None], tuple[Any, ...]], outputs: list[Any]
) -> None:
    """Refill a tab with `fn(choice)` when the open film is no longer the one it shows (another was picked, or "+ New
    film"). A tab that shows the open film keeps what is typed in it, and one never filled is left to its own
    select event: this event may be handled after that one, and would overwrite what was typed since."""

    def refill(choice: str | None, shown_id: int | None) -> tuple[Any, ...]:
        try:
            open_id: int | None = page.ctx.project_id(choice)
        except EchoError:
            open_id = None
        return tuple(gr.skip() for _ in outputs) if shown_id in (None, open_id) else fn(choice)

    page.project.change(refill, inputs=[page.project, shown], outputs=outputs, **PRIVATE)


def _refresh_board(page: SimpleNamespace) -> dict[str, Any]:
    """The storyboard (stale markers), the summary and the generate button after a change made in a tab."""

    def refresh(choice: str | None) -> tuple[Any, ...]:
        state = page.ctx.state_or_none(choice)
        return (views.storyboard(page.ctx.workspace, state) if state else [], *page.handlers.refresh(choice))

    return {"fn": refresh, "inputs": page.project, "outputs": [page.storyboard, page.summary, page.generate], **PRIVATE}


# -- Story ----------------------------------------------------------------------------------------------------


def story_tab() -> SimpleNamespace:
    gr.Markdown(
        "Edit the story directly. **Save** keeps every earlier version; a saved version waits for your approval, "
        "and approving it has the Director plan (and render) the shots from it."
    )
    title = gr.Textbox(label="Title", elem_id="story-title")
    synopsis = gr.Textbox(label="Synopsis", lines=4, max_lines=16, elem_id="story-synopsis")
    style = gr.Textbox(label="Visual style (one sentence used in every shot)", elem_id="story-style")
    cast = gr.Dataframe(
        headers=CAST_HEADERS,
        datatype="str",
        type="array",
        column_count=2,
        interactive=True,
        label="Cast: one row per person or creature (click a cell to type; its ⋮ menu adds or removes rows)",
        elem_id="story-cast",
    )
    with gr.Row():
        places = gr.Textbox(label="Places (one per line)", lines=4, elem_id="story-places")
        beats = gr.Textbox(label="What happens (one event per line, in order)", lines=4, elem_id="story-beats")
    with gr.Row():
        save = gr.Button("Save as a new version", variant="primary", elem_id="story-save")
        approve = gr.Button("Approve story", elem_id="story-approve")
        undo = gr.Button("Undo last change", elem_id="story-undo")
        reload = gr.Button("Reload", elem_id="story-reload")
    status = gr.Markdown(elem_id="story-status")
    gr.Markdown("### Earlier versions")
    with gr.Row(equal_height=True):
        versions = gr.Dropdown(
            label="Versions (pick one to read it)", choices=[], scale=3, allow_custom_value=True,
            elem_id="story-versions",
        )  # fmt: skip
        restore = gr.Button("Restore this version", scale=1, min_width=160, elem_id="story-restore")
    version_view = gr.Markdown(elem_id="story-version-view")
    return SimpleNamespace(
        title=title, synopsis=synopsis, style=style, cast=cast, places=places, beats=beats, save=save,
        approve=approve, undo=undo, reload=reload, status=status, versions=versions, restore=restore,
        version_view=version_view, shown=gr.State(None), base=gr.State(None),
    )  # fmt: skip


def wire_story(page: SimpleNamespace, tab: gr.Tab, s: SimpleNamespace) -> None:
    editor = StoryEditor(page.ctx, page.handlers)
    form = [s.title, s.synopsis, s.style, s.cast, s.places, s.beats, s.versions, s.version_view, s.shown, s.base]
    load = {"fn": editor.load, "inputs": page.project, "outputs": [*form, s.status]}
    tab.select(**load, api_name="story")
    s.reload.click(**load, **PRIVATE)
    _on_film_change(page, s.shown, editor.load, [*form, s.status])
    fields = [s.title, s.synopsis, s.style, s.cast, s.places, s.beats]
    s.save.click(
        editor.save, inputs=[page.project, s.shown, s.base, *fields], outputs=[*form, s.status], api_name="save_story"
    ).then(**page.settled)
    s.versions.input(editor.view_version, inputs=[page.project, s.shown, s.versions], outputs=s.version_view, **PRIVATE)
    s.restore.click(
        editor.restore, inputs=[page.project, s.shown, s.versions], outputs=[*form, s.status], api_name="restore_story"
    ).then(**page.settled)
    s.undo.click(
        editor.undo,
        inputs=[page.project, s.shown],
        outputs=[*form, s.status, page.storyboard],
        api_name="undo_last_change",
    ).then(**page.settled)
    s.approve.click(
        editor.approve,
        inputs=[page.project, s.shown],
        outputs=[*page.director_outputs, s.status],
        api_name="approve_story",
        **page.run,
    ).then(**page.settled).then(editor.form, inputs=page.project, outputs=form, **PRIVATE)


# -- Compare --------------------------------------------------------------------------------------------------


def compare_tab() -> SimpleNamespace:
    gr.Markdown(COMPARE_HINT)
    with gr.Row(equal_height=True):
        number = gr.Number(label="Shot number", precision=0, minimum=1, scale=3, elem_id="compare-number")
        load = gr.Button("Show versions", scale=1, min_width=140, elem_id="compare-load")
    sides = []
    with gr.Row():
        for side, label in (("a", "Left"), ("b", "Right")):
            with gr.Column(min_width=240):
                version = gr.Dropdown(label=f"{label} version", choices=[], elem_id=f"compare-{side}")
                video = gr.Video(label=f"{label} take", interactive=False, elem_id=f"compare-video-{side}")
                use = gr.Button("Use this one", elem_id=f"use-{side}")
                memory = gr.Markdown(elem_id=f"compare-memory-{side}")
            sides.append(SimpleNamespace(version=version, video=video, use=use, memory=memory))
    status = gr.Markdown(elem_id="compare-status")
    gr.Markdown("**What changed in the prompt** (removed words struck through, added ones underlined in green)")
    diff = gr.HTML(elem_id="compare-diff")
    return SimpleNamespace(
        number=number, load=load, a=sides[0], b=sides[1], status=status, diff=diff, shown=gr.State(None),
        shot=gr.State(None),
    )  # fmt: skip


def wire_compare(page: SimpleNamespace, c: SimpleNamespace) -> None:
    compare = Compare(page.ctx)
    shown = [c.a.video, c.a.memory, c.b.video, c.b.memory, c.diff, c.status]
    load = {
        "fn": compare.load,
        "inputs": [page.project, c.number],
        "outputs": [c.a.version, c.b.version, *shown, c.shown, c.shot],
    }
    c.load.click(**load, api_name="compare_versions")
    c.number.submit(**load, **PRIVATE)
    cleared = [c.a.version, c.b.version, *shown, c.shown, c.shot]
    _on_film_change(page, c.shown, lambda _choice: compare.clear(), cleared)
    picked = [page.project, c.shown, c.shot, c.a.version, c.b.version]
    for side in (c.a, c.b):
        side.version.input(compare.compare, inputs=picked, outputs=shown, **PRIVATE)
        side.use.click(
            compare.use,
            inputs=[page.project, c.shown, c.shot, side.version],
            outputs=[c.status, page.storyboard],
            api_name=f"use_version_{'a' if side is c.a else 'b'}",
        ).then(compare.labels, inputs=[page.project, c.shot], outputs=[c.a.version, c.b.version], **PRIVATE).then(
            **page.settled
        )


# -- Film -----------------------------------------------------------------------------------------------------


def film_tab() -> SimpleNamespace:
    gr.Markdown(
        "Watch the film as it stands, without exporting: click a shot in the chapter list to watch it, or "
        "**Play all** to watch every shot in order."
    )
    summary = gr.Markdown(FILM_HINT, elem_id="film-summary")
    play_all = gr.Button("Play all", variant="primary", elem_id="play-all")
    player = gr.Video(label="Player", interactive=False, autoplay=True, elem_id="film-player")
    now = gr.Markdown(elem_id="film-now")
    chapters = gr.Dataframe(
        headers=CHAPTER_HEADERS,
        datatype="str",
        type="array",
        interactive=False,
        label="Chapters: click a shot to watch it",
        elem_id="film-chapters",
    )
    return SimpleNamespace(
        summary=summary, play_all=play_all, player=player, now=now, chapters=chapters, shown=gr.State(None)
    )


def wire_film(page: SimpleNamespace, tab: gr.Tab, f: SimpleNamespace) -> None:
    film = Film(page.ctx)
    load = {"fn": film.load, "inputs": page.project, "outputs": [f.summary, f.chapters, f.player, f.now, f.shown]}
    tab.select(**load, api_name="film")
    _on_film_change(page, f.shown, film.load, load["outputs"])
    f.chapters.select(film.pick, inputs=[page.project, f.shown], outputs=[f.player, f.now], **PRIVATE)
    f.play_all.click(
        film.play_all,
        inputs=[page.project, f.shown],
        outputs=[f.player, f.now],
        api_name="play_all",
        concurrency_id="film",
        concurrency_limit=1,
    )


# -- Cards ----------------------------------------------------------------------------------------------------


def cards_tab(ctx: AppContext, handlers: Handlers, project: gr.Dropdown, tab: gr.Tab) -> SimpleNamespace:
    """The character gallery, then the card editor (characters with their references, scenes)."""
    gallery = CardsGallery(ctx, handlers)
    gr.Markdown(
        "The characters and places the Director keeps consistent in every shot. A changed card makes the shots "
        "that show it stale; regenerate them with one click."
    )
    revision = gr.State(0)  # bumped by every saved change: the gallery redraws
    shown = gr.State(None)
    regenerate = gr.Button(visible=views.visibility(False), variant="primary", elem_id="regenerate-affected")
    regenerate_status = gr.Markdown(elem_id="regenerate-status")
    voice_player = gr.Audio(label="Voice", type="filepath", interactive=False, autoplay=True, elem_id="voice-player")
    gallery_status = gr.Markdown(elem_id="gallery-status")
    editor = SimpleNamespace()  # the character editor below; the cards' Edit buttons (drawn later) fill it

    @gr.render(inputs=project, triggers=[tab.select, revision.change, project.change])
    def character_cards(choice: str | None) -> None:
        tiles = gallery.tiles(choice)
        if not tiles:
            gr.Markdown("_No characters yet: approve a story, or add one in the editor below._")
        with gr.Row(elem_id="character-cards"):
            for tile in tiles:
                with gr.Column(min_width=170, scale=0, variant="panel", elem_id=f"card-{tile.char_id}"):
                    gr.Image(
                        tile.portrait, show_label=False, interactive=False, height=160, buttons=[],
                        elem_id=f"portrait-{tile.char_id}",
                    )  # fmt: skip
                    gr.Markdown(tile.details)
                    with gr.Row():
                        hear = gr.Button("Hear voice", size="sm", elem_id=f"hear-{tile.char_id}")
                        edit = gr.Button("Edit", size="sm", elem_id=f"edit-{tile.char_id}")
                hear.click(
                    partial(gallery.hear, char_id=tile.char_id),
                    inputs=[project, shown],
                    outputs=[voice_player, gallery_status],
                    **PRIVATE,
                )
                edit.click(
                    partial(gallery.edit, char_id=tile.char_id),
                    inputs=[project, shown],
                    outputs=[gallery_status, editor.character, *editor.character_fields],
                    **PRIVATE,
                )

    gr.Markdown("### Edit a character")
    editor.character = gr.Dropdown(label="Character", choices=[], allow_custom_value=True, elem_id="character")
    with gr.Row():
        name = gr.Textbox(
            label="Name (a new name replaces the old one in every shot and the story)", elem_id="character-name"
        )
        voice = gr.Textbox(label="Voice", placeholder="e.g. a warm, low male voice")
    identity = gr.Textbox(label="Who they are (age, build, face, hair)")
    appearance = gr.Textbox(label="Appearance")
    clothing = gr.Textbox(label="Clothing")
    save_character = gr.Button("Save character", elem_id="save-character")
    character_status = gr.Markdown(elem_id="cards-status")
    with gr.Row():
        with gr.Column():
            image = gr.Image(label="Reference image", type="filepath", interactive=False, height=200)
            image_upload = gr.File(
                label="Upload a face picture (PNG/JPEG/WebP)", file_types=REFERENCE_IMAGE_TYPES, elem_id="image-upload"
            )
        with gr.Column():
            audio = gr.Audio(label="Voice sample", type="filepath", interactive=False)
            audio_upload = gr.File(
                label="Upload a voice sample (WAV/MP3/M4A)", file_types=REFERENCE_AUDIO_TYPES, elem_id="audio-upload"
            )
    editor.character_fields = [name, identity, appearance, clothing, voice, image, audio]
    gr.Markdown("### Scenes")
    scene = gr.Dropdown(label="Scene", choices=[], allow_custom_value=True, elem_id="scene")
    with gr.Row():
        scene_name = gr.Textbox(label="Name")
        location = gr.Textbox(label="Location")
        time_of_day = gr.Textbox(label="Time of day")
    description = gr.Textbox(label="Description (light, mood, background)", lines=2)
    save_scene = gr.Button("Save scene", elem_id="save-scene")
    scene_status = gr.Markdown(elem_id="scene-status")
    return SimpleNamespace(
        gallery=gallery, revision=revision, shown=shown, regenerate=regenerate, regenerate_status=regenerate_status,
        character=editor.character, character_fields=editor.character_fields, save_character=save_character,
        character_status=character_status, image_upload=image_upload, audio_upload=audio_upload, scene=scene,
        scene_fields=[scene_name, location, time_of_day, description], save_scene=save_scene,
        scene_status=scene_status,
    )  # fmt: skip


def wire_cards(page: SimpleNamespace, tab: gr.Tab, c: SimpleNamespace) -> None:
    e, gallery = page.editors, c.gallery
    load_cards = {
        "fn": e.load_cards,
        "inputs": page.project,
        "outputs": [c.character, *c.character_fields, c.scene, *c.scene_fields],
    }
    opened = {"fn": gallery.opened, "inputs": page.project, "outputs": [c.shown, c.regenerate]}
    tab.select(**load_cards, api_name="cards")
    tab.select(**opened, **PRIVATE)
    _on_film_change(page, c.shown, e.load_cards, load_cards["outputs"])
    _on_film_change(page, c.shown, gallery.opened, opened["outputs"])
    c.revision.change(gallery.regenerate_button, inputs=page.project, outputs=c.regenerate, **PRIVATE)
    bump = {"fn": lambda revision: int(revision or 0) + 1, "inputs": c.revision, "outputs": c.revision, **PRIVATE}

    c.character.input(e.pick_character, inputs=[page.project, c.character], outputs=c.character_fields, **PRIVATE)
    c.save_character.click(
        gallery.save_character,
        inputs=[page.project, c.shown, c.revision, c.character, *c.character_fields[:5]],
        outputs=[c.character_status, c.character, c.revision],
        api_name="save_character",
    ).then(**_refresh_board(page))
    c.regenerate.click(
        gallery.regenerate,
        inputs=[page.project, c.shown],
        outputs=[*page.director_outputs, c.regenerate_status],
        api_name="regenerate_affected",
        **page.run,
    ).then(**page.settled).then(**bump)
    for upload, handler, name in (
        (c.image_upload, e.upload_image, "upload_image"),
        (c.audio_upload, e.upload_audio, "upload_audio"),
    ):
        upload.upload(
            handler,
            inputs=[page.project, c.shown, c.character, upload],
            outputs=[c.character_status, c.character_fields[5], c.character_fields[6]],
            api_name=name,
        ).then(lambda: None, outputs=upload, **PRIVATE).then(**bump)
    c.scene.input(e.pick_scene, inputs=[page.project, c.scene], outputs=c.scene_fields, **PRIVATE)
    c.save_scene.click(
        e.save_scene,
        inputs=[page.project, c.shown, c.scene, *c.scene_fields],
        outputs=c.scene_status,
        api_name="save_scene",
    )


# -- Evaluation -----------------------------------------------------------------------------------------------


def wire_evaluation(page: SimpleNamespace, tab: gr.Tab, v: SimpleNamespace) -> None:
    evaluation = EvaluationTab(page.ctx)
    load = {"fn": evaluation.load, "inputs": page.project, "outputs": [v.summary, v.table, v.report, v.status, v.shown]}
    tab.select(**load, api_name="evaluation")
    _on_film_change(page, v.shown, evaluation.load, load["outputs"])
    v.evaluate.click(
        evaluation.evaluate,
        inputs=[page.project, v.shown],
        outputs=[v.summary, v.table, v.report, v.status],
        api_name="evaluate_film",
        concurrency_id="evaluation",
        concurrency_limit=1,
    )
