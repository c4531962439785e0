"""The page: project picker, chat with the Director, and tabs for storyboard, shot, cards, export and settings.

Every event has an `api_name`, so `gradio_client` (and the tests) can drive the same handlers the buttons do.
Long Director work shares one concurrency slot: one film is made at a time per app.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from director.ui import views
from director.ui.context import AppContext
from director.ui.editors import Editors
from director.ui.handlers import OPTION_BUTTONS, START_HINT, Handlers
from director.ui.server import CACHE_MAX_AGE_S, CACHE_SWEEP_EVERY_S
from generator.registry import BACKENDS

DIRECTOR_QUEUE = "director"
HINT = (
    "**How it works:** 1) describe your film idea in the chat and press **Send** · 2) read the proposed story and "
    "press **Approve** · 3) watch the shots appear in the **Storyboard**; click one to watch it, give feedback or "
    "go back to an earlier version · 4) open **Export** and download your film."
)
IDEA_PLACEHOLDER = "e.g. A lighthouse keeper and a lost robot become friends during a storm. 3 shots, warm and gentle."
REFERENCE_IMAGE_TYPES = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"]
REFERENCE_AUDIO_TYPES = [".wav", ".mp3", ".m4a", ".ogg", ".flac"]
CSS = """
.echo-activity { display: flex; align-items: center; gap: 12px; padding: 4px 0; }
.echo-activity progress { flex: 0 0 40%; height: 12px; accent-color: var(--color-accent); }
"""


def build_app(ctx: AppContext) -> gr.Blocks:
    h = Handlers(ctx)
    e = Editors(ctx, h.run_started)
    with gr.Blocks(title="Echo Director", delete_cache=(CACHE_SWEEP_EVERY_S, CACHE_MAX_AGE_S)) as demo:
        gr.Markdown("# Echo Director\nMake a short film by talking to a director.\n\n" + HINT)
        with gr.Row(equal_height=False):
            project = gr.Dropdown(
                label="Your films (pick one to reopen it)",
                choices=[],
                value=None,
                allow_custom_value=True,
                scale=5,
                elem_id="project-picker",
            )
            new_film = gr.Button("+ New film", scale=0, min_width=140, elem_id="new-film")
        summary = gr.Markdown(START_HINT, elem_id="summary")
        activity = gr.HTML("", visible=False, elem_id="activity")
        with gr.Row():
            with gr.Column(scale=5):
                talk = chat_column()
            with gr.Column(scale=7), gr.Tabs(elem_id="tabs") as tabs:
                with gr.Tab("Storyboard", id="storyboard"):
                    storyboard = gr.Gallery(
                        label="Storyboard: click a shot to watch it, revise it or go back to an earlier version",
                        columns=3,
                        height="auto",
                        fit_columns=False,
                        allow_preview=False,
                        object_fit="contain",
                        elem_id="storyboard",
                    )
                with gr.Tab("Shot", id="shot"):
                    shot = shot_tab()
                with gr.Tab("Cards", id="cards") as cards_tab:
                    cards = cards_tab_contents()
                with gr.Tab("Export", id="export") as export_tab:
                    out = export_tab_contents()
                with gr.Tab("Settings", id="settings") as settings_tab:
                    conf = settings_tab_contents()

        director_outputs = [project, talk.chat, *talk.options, storyboard, summary, activity, talk.generate]
        inspector_outputs = [
            shot.header, shot.video, shot.dialogue, shot.prompt, shot.memory, shot.versions, shot.shown
        ]  # fmt: skip
        cleared_inspector = {"fn": e.clear_inspector, "outputs": [*inspector_outputs, shot.number, shot.status]}
        run = {"concurrency_id": DIRECTOR_QUEUE, "concurrency_limit": 1, "show_progress": "hidden"}
        export_outputs = [out.status, out.downloads, out.film]

        demo.load(h.load, outputs=director_outputs, api_name="load")
        project.input(h.open_project, inputs=project, outputs=director_outputs, api_name="open_project").then(
            **cleared_inspector, api_visibility="private"
        )
        new_film.click(h.new_film, outputs=director_outputs, api_name="new_film").then(
            lambda: gr.Tabs(selected="storyboard"), outputs=tabs, api_visibility="private"
        ).then(**cleared_inspector, api_visibility="private")

        # After a reply, `after_reply` opens the Export tab if the Director just exported the film from the chat.
        after_reply = {"fn": e.after_reply, "inputs": project, "outputs": [tabs, *export_outputs]}
        send_inputs = [talk.message, project]
        for trigger, name in ((talk.send.click, "send"), (talk.message.submit, None)):
            visibility = {"api_name": name} if name else {"api_visibility": "private"}
            sent = trigger(h.send, inputs=send_inputs, outputs=director_outputs, **visibility, **run)
            sent.then(lambda: "", outputs=talk.message, api_visibility="private")
            sent.then(**after_reply, api_visibility="private")
        for button in talk.options:
            button.click(
                h.send, inputs=[button, project], outputs=director_outputs, api_visibility="private", **run
            ).then(**after_reply, api_visibility="private")
        talk.generate.click(h.generate, inputs=project, outputs=director_outputs, api_name="generate", **run)

        storyboard.select(e.pick_shot, inputs=project, outputs=[shot.number, tabs, *inspector_outputs, shot.status])
        shot.show.click(
            e.inspect, inputs=[project, shot.number], outputs=inspector_outputs, api_name="inspect_shot"
        ).then(lambda: "", outputs=shot.status, api_visibility="private")
        shot.revise.click(
            h.revise,
            inputs=[project, shot.shown, shot.number, shot.feedback],
            outputs=[*director_outputs, shot.status, shot.feedback],
            api_name="revise_shot",
            **run,
        ).then(e.inspect, inputs=[project, shot.number], outputs=inspector_outputs, api_visibility="private")
        shot.rollback.click(
            e.rollback,
            inputs=[project, shot.shown, shot.number, shot.versions],
            outputs=[shot.status, storyboard],
            api_name="rollback",
        ).then(e.inspect, inputs=[project, shot.number], outputs=inspector_outputs, api_visibility="private").then(
            h.refresh, inputs=project, outputs=[summary, talk.generate], api_visibility="private"
        )

        character_fields = [
            cards.name, cards.identity, cards.appearance, cards.clothing, cards.voice, cards.image, cards.audio
        ]  # fmt: skip
        scene_fields = [cards.scene_name, cards.location, cards.time_of_day, cards.description]
        cards_tab.select(
            e.load_cards,
            inputs=project,
            outputs=[cards.character, *character_fields, cards.scene, *scene_fields],
            api_name="cards",
        )
        cards.character.input(
            e.pick_character, inputs=[project, cards.character], outputs=character_fields, api_visibility="private"
        )
        cards.save_character.click(
            e.save_character,
            inputs=[project, cards.character, *character_fields[:5]],
            outputs=[cards.character_status, cards.character],
            api_name="save_character",
        )
        for upload, handler, name in (
            (cards.image_upload, e.upload_image, "upload_image"),
            (cards.audio_upload, e.upload_audio, "upload_audio"),
        ):
            upload.upload(
                handler,
                inputs=[project, cards.character, upload],
                outputs=[cards.character_status, cards.image, cards.audio],
                api_name=name,
            ).then(lambda: None, outputs=upload, api_visibility="private")
        cards.scene.input(e.pick_scene, inputs=[project, cards.scene], outputs=scene_fields, api_visibility="private")
        cards.save_scene.click(
            e.save_scene,
            inputs=[project, cards.scene, *scene_fields],
            outputs=cards.scene_status,
            api_name="save_scene",
        )

        export_tab.select(e.last_export, inputs=project, outputs=export_outputs, api_visibility="private")
        out.export.click(
            e.export,
            inputs=[project, out.force],
            outputs=export_outputs,
            api_name="export",
            concurrency_id=DIRECTOR_QUEUE,
            concurrency_limit=1,
        )
        settings_fields = [conf.llm_base_url, conf.llm_model, conf.backend, conf.width, conf.height, conf.review]
        settings_tab.select(e.show_settings, outputs=settings_fields, api_visibility="private")
        conf.apply.click(
            e.apply_settings,
            inputs=[*settings_fields[:2], conf.llm_api_key, *settings_fields[2:]],
            outputs=conf.status,
            api_name="apply_settings",
        )
    return demo


def chat_column() -> SimpleNamespace:
    chat = gr.Chatbot(label="Director", height=480, elem_id="chat")
    with gr.Row():
        options = [gr.Button(visible=False, variant="primary", elem_id=f"option-{i}") for i in range(OPTION_BUTTONS)]
    message = gr.Textbox(
        label="Your message (an idea, an answer, or what to change)",
        placeholder=IDEA_PLACEHOLDER,
        lines=3,
        max_lines=12,
        elem_id="message",
    )
    with gr.Row():
        send = gr.Button("Send", variant="primary", elem_id="send")
        generate = gr.Button("Generate pending shots", visible=False, elem_id="generate")
    return SimpleNamespace(chat=chat, options=options, message=message, send=send, generate=generate)


def shot_tab() -> SimpleNamespace:
    """The shot inspector: the take to watch, then what to do about it, then how it was made."""
    with gr.Row(equal_height=True):
        number = gr.Number(label="Shot number", value=None, precision=0, minimum=1, scale=3, elem_id="shot-number")
        show = gr.Button("Show shot", scale=1, min_width=120, elem_id="show-shot")
    header = gr.Markdown(views.INSPECTOR_HINT, elem_id="shot-header")
    video = gr.Video(label="Take (video with sound)", interactive=False, elem_id="shot-video")
    dialogue = gr.Markdown()
    feedback = gr.Textbox(
        label="What should change in this shot?",
        placeholder="e.g. make her sound angrier and move the camera closer",
        lines=2,
        elem_id="feedback",
    )
    revise = gr.Button("Revise this shot", variant="primary", elem_id="revise")
    status = gr.Markdown(elem_id="shot-status")
    with gr.Row(equal_height=True):
        versions = gr.Dropdown(
            label="Versions of this shot (pick one to go back to it)",
            choices=[],
            allow_custom_value=True,
            scale=3,
            elem_id="versions",
        )
        rollback = gr.Button("Use this version", scale=1, min_width=140, elem_id="rollback")
    with gr.Accordion("Prompt sent to the generator", open=False):
        prompt = gr.Textbox(show_label=False, lines=6, interactive=False, elem_id="shot-prompt")
    memory = gr.Gallery(
        label="Memory this take was conditioned on (earlier shots' key frame + audio, character references)",
        columns=3,
        height=280,
        fit_columns=False,
        allow_preview=False,
        object_fit="contain",
        elem_id="shot-memory",
    )
    shown = gr.State(None)  # the project whose shot the inspector shows: actions on it must match the open film
    return SimpleNamespace(
        number=number, show=show, header=header, video=video, dialogue=dialogue, feedback=feedback, revise=revise,
        status=status, versions=versions, rollback=rollback, prompt=prompt, memory=memory, shown=shown,
    )  # fmt: skip


def cards_tab_contents() -> SimpleNamespace:
    gr.Markdown(
        "The characters and places the Director keeps consistent in every shot. Edit a card and save it; "
        "shots made later use the new card (regenerate earlier ones to update them)."
    )
    gr.Markdown("### Characters")
    character = gr.Dropdown(label="Character", choices=[], allow_custom_value=True, elem_id="character")
    with gr.Row():
        name = gr.Textbox(label="Name")
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
        character=character, name=name, voice=voice, identity=identity, appearance=appearance, clothing=clothing,
        save_character=save_character, character_status=character_status, image=image, image_upload=image_upload,
        audio=audio, audio_upload=audio_upload, scene=scene, scene_name=scene_name, location=location,
        time_of_day=time_of_day, description=description, save_scene=save_scene, scene_status=scene_status,
    )  # fmt: skip


def export_tab_contents() -> SimpleNamespace:
    gr.Markdown(
        "Join the current version of every shot into one film, with subtitles, chapters and timelines for editing "
        "software (OTIO, FCP XML, EDL)."
    )
    force = gr.Checkbox(label="Export even if some shots are missing or stale (they are left out)")
    export = gr.Button("Export film", variant="primary", elem_id="export")
    status = gr.Markdown(elem_id="export-status")
    film = gr.Video(label="Film", interactive=False, elem_id="film")
    downloads = gr.File(label="Downloads", file_count="multiple", interactive=False, elem_id="downloads")
    return SimpleNamespace(force=force, export=export, status=status, film=film, downloads=downloads)


def settings_tab_contents() -> SimpleNamespace:
    gr.Markdown("Changes apply to the next thing the Director does; the project folder and address stay as started.")
    llm_base_url = gr.Textbox(
        label="LLM endpoint (OpenAI-compatible base URL; empty = built-in offline planner)",
        placeholder="http://127.0.0.1:8000/v1",
    )
    llm_model = gr.Textbox(label="LLM model (used only with an endpoint)")
    llm_api_key = gr.Textbox(label="API key (kept in memory only)", type="password")
    choices = "; ".join(f"{name} = {entry.summary}" for name, entry in BACKENDS.items())
    backend = gr.Radio(list(BACKENDS), label=f"Generator ({choices})")
    with gr.Row():
        width = gr.Number(label="Width (multiple of 32)", precision=0)
        height = gr.Number(label="Height (multiple of 32)", precision=0)
    review = gr.Checkbox(label="Review mode: pause after every shot for my approval")
    apply = gr.Button("Apply settings", elem_id="apply-settings")
    status = gr.Markdown(elem_id="settings-status")
    return SimpleNamespace(
        llm_base_url=llm_base_url, llm_model=llm_model, llm_api_key=llm_api_key, backend=backend, width=width,
        height=height, review=review, apply=apply, status=status,
    )  # fmt: skip
