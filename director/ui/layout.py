"""The page: project picker, chat with the Director, and tabs for storyboard, shot, cards, export and settings.

Every event has an `api_name`, so `gradio_client` (and the tests) can drive the same handlers the buttons do.
Long Director work shares one concurrency slot: one film is made at a time per app.
"""

from __future__ import annotations

import gradio as gr

from director.ui.context import AppContext
from director.ui.handlers import OPTION_BUTTONS, START_HINT, Handlers

DIRECTOR_QUEUE = "director"
HINT = (
    "**How it works:** 1) describe your film idea in the chat and press **Send** · 2) read the proposed story and "
    "press **Approve** · 3) watch the shots appear in the **Storyboard**; click one to watch it, give feedback or "
    "go back to an earlier version · 4) open **Export** and download your film."
)
IDEA_PLACEHOLDER = "e.g. A lighthouse keeper and a lost robot become friends during a storm. 3 shots, warm and gentle."
REFERENCE_IMAGE_TYPES = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"]
REFERENCE_AUDIO_TYPES = [".wav", ".mp3", ".m4a", ".ogg", ".flac"]


def build_app(ctx: AppContext) -> gr.Blocks:
    h = Handlers(ctx)
    with gr.Blocks(title="Echo Director") as demo:
        gr.Markdown("# Echo Director\nMake a short film by talking to a director.")
        gr.Markdown(HINT)
        with gr.Row(equal_height=True):
            project = gr.Dropdown(
                label="Project", choices=[], value=None, allow_custom_value=True, scale=4, elem_id="project-picker"
            )
            new_film = gr.Button("+ New film", scale=1, elem_id="new-film")
        summary = gr.Markdown(START_HINT, elem_id="summary")

        with gr.Row():
            with gr.Column(scale=5):
                chat = gr.Chatbot(label="Director", height=480, elem_id="chat")
                with gr.Row():
                    options = [
                        gr.Button(visible=False, variant="primary", elem_id=f"option-{i}")
                        for i in range(OPTION_BUTTONS)
                    ]
                message = gr.Textbox(
                    label="Your message", placeholder=IDEA_PLACEHOLDER, lines=3, max_lines=12, elem_id="message"
                )
                with gr.Row():
                    send = gr.Button("Send", variant="primary", elem_id="send")
                    generate = gr.Button("Generate pending shots", elem_id="generate")

            with gr.Column(scale=7), gr.Tabs(elem_id="tabs") as tabs:
                with gr.Tab("Storyboard", id="storyboard"):
                    storyboard = gr.Gallery(
                        label="Storyboard: click a shot to inspect it",
                        columns=3,
                        height="auto",
                        fit_columns=False,
                        allow_preview=False,
                        object_fit="contain",
                        elem_id="storyboard",
                    )
                with gr.Tab("Shot", id="shot"):
                    with gr.Row(equal_height=True):
                        shot_number = gr.Number(label="Shot number", precision=0, minimum=1, elem_id="shot-number")
                        show_shot = gr.Button("Show shot", elem_id="show-shot")
                    shot_header = gr.Markdown(
                        "Click a shot in the storyboard, or type its number.", elem_id="shot-header"
                    )
                    shot_video = gr.Video(label="Take (video with sound)", interactive=False, elem_id="shot-video")
                    shot_dialogue = gr.Markdown()
                    with gr.Accordion("Prompt sent to the generator", open=False):
                        shot_prompt = gr.Textbox(show_label=False, lines=6, interactive=False, elem_id="shot-prompt")
                    shot_memory = gr.Gallery(
                        label="Memory this take was conditioned on (key frame + its audio window)",
                        columns=4,
                        height=240,
                        fit_columns=False,
                        allow_preview=False,
                        object_fit="contain",
                        elem_id="shot-memory",
                    )
                    with gr.Row(equal_height=True):
                        versions = gr.Dropdown(
                            label="Versions", choices=[], allow_custom_value=True, scale=3, elem_id="versions"
                        )
                        rollback = gr.Button("Use this version", scale=1, elem_id="rollback")
                    feedback = gr.Textbox(
                        label="What should change in this shot?",
                        placeholder="e.g. make her sound angrier and move the camera closer",
                        lines=2,
                        elem_id="feedback",
                    )
                    revise = gr.Button("Revise this shot", variant="primary", elem_id="revise")
                    shot_status = gr.Markdown(elem_id="shot-status")
                with gr.Tab("Cards", id="cards") as cards_tab:
                    gr.Markdown("Characters and scenes the Director keeps consistent in every shot.")
                    character = gr.Dropdown(label="Character", choices=[], allow_custom_value=True, elem_id="character")
                    with gr.Row():
                        char_name = gr.Textbox(label="Name")
                        char_voice = gr.Textbox(label="Voice", placeholder="e.g. a warm, low male voice")
                    char_identity = gr.Textbox(label="Who they are (age, build, face, hair)")
                    char_appearance = gr.Textbox(label="Appearance")
                    char_clothing = gr.Textbox(label="Clothing")
                    save_character = gr.Button("Save character", elem_id="save-character")
                    with gr.Row():
                        with gr.Column():
                            char_image = gr.Image(label="Reference image", type="filepath", interactive=False)
                            image_upload = gr.File(
                                label="Upload a face picture (PNG/JPEG/WebP)",
                                file_types=REFERENCE_IMAGE_TYPES,
                                elem_id="image-upload",
                            )
                        with gr.Column():
                            char_audio = gr.Audio(label="Voice sample", type="filepath", interactive=False)
                            audio_upload = gr.File(
                                label="Upload a voice sample (WAV/MP3/M4A)",
                                file_types=REFERENCE_AUDIO_TYPES,
                                elem_id="audio-upload",
                            )
                    cards_status = gr.Markdown(elem_id="cards-status")
                    scene = gr.Dropdown(label="Scene", choices=[], allow_custom_value=True, elem_id="scene")
                    with gr.Row():
                        scene_name = gr.Textbox(label="Name")
                        scene_location = gr.Textbox(label="Location")
                        scene_time = gr.Textbox(label="Time of day")
                    scene_description = gr.Textbox(label="Description (light, mood, background)", lines=2)
                    save_scene = gr.Button("Save scene", elem_id="save-scene")
                with gr.Tab("Export", id="export"):
                    gr.Markdown(
                        "Join the current take of every shot into one film with subtitles, chapters and timelines "
                        "for editing software (OTIO, FCP XML, EDL)."
                    )
                    force = gr.Checkbox(label="Export even if some shots are missing or stale (they are left out)")
                    export = gr.Button("Export film", variant="primary", elem_id="export")
                    export_status = gr.Markdown(elem_id="export-status")
                    film = gr.Video(label="Film", interactive=False, elem_id="film")
                    downloads = gr.File(
                        label="Downloads", file_count="multiple", interactive=False, elem_id="downloads"
                    )
                with gr.Tab("Settings", id="settings") as settings_tab:
                    llm_base_url = gr.Textbox(
                        label="LLM endpoint (OpenAI-compatible base URL; empty = built-in offline planner)",
                        placeholder="http://127.0.0.1:8000/v1",
                    )
                    llm_model = gr.Textbox(label="LLM model")
                    llm_api_key = gr.Textbox(label="API key (kept in memory only)", type="password")
                    backend = gr.Radio(["preview", "echo"], label="Generator (preview = fast CPU animatic)")
                    with gr.Row():
                        width = gr.Number(label="Width (multiple of 32)", precision=0)
                        height = gr.Number(label="Height (multiple of 32)", precision=0)
                    review = gr.Checkbox(label="Review mode: pause after every shot for my approval")
                    apply = gr.Button("Apply settings", elem_id="apply-settings")
                    settings_status = gr.Markdown(elem_id="settings-status")

        director_outputs = [project, chat, *options, storyboard, summary]
        inspector_outputs = [shot_header, shot_video, shot_dialogue, shot_prompt, shot_memory, versions]
        character_fields = [
            char_name,
            char_identity,
            char_appearance,
            char_clothing,
            char_voice,
            char_image,
            char_audio,
        ]
        scene_fields = [scene_name, scene_location, scene_time, scene_description]
        run = {"concurrency_id": DIRECTOR_QUEUE, "concurrency_limit": 1}

        demo.load(h.load, outputs=director_outputs, api_name="load")
        project.input(h.open_project, inputs=project, outputs=director_outputs, api_name="open_project")
        new_film.click(h.new_film, outputs=director_outputs, api_name="new_film")

        sent = send.click(h.send, inputs=[message, project], outputs=director_outputs, api_name="send", **run)
        sent.then(lambda: "", outputs=message, api_visibility="private")
        message.submit(
            h.send, inputs=[message, project], outputs=director_outputs, api_visibility="private", **run
        ).then(lambda: "", outputs=message, api_visibility="private")
        for button in options:
            button.click(h.send, inputs=[button, project], outputs=director_outputs, api_visibility="private", **run)
        generate.click(h.generate, inputs=project, outputs=director_outputs, api_name="generate", **run)

        storyboard.select(h.pick_shot, inputs=project, outputs=[shot_number, tabs, *inspector_outputs])
        show_shot.click(h.inspect, inputs=[project, shot_number], outputs=inspector_outputs, api_name="inspect_shot")
        revise.click(
            h.revise, inputs=[project, shot_number, feedback], outputs=director_outputs, api_name="revise_shot", **run
        ).then(h.inspect, inputs=[project, shot_number], outputs=inspector_outputs, api_visibility="private")
        rollback.click(
            h.rollback, inputs=[project, shot_number, versions], outputs=[shot_status, storyboard], api_name="rollback"
        ).then(h.inspect, inputs=[project, shot_number], outputs=inspector_outputs, api_visibility="private")

        cards_tab.select(
            h.load_cards, inputs=project, outputs=[character, *character_fields, scene, *scene_fields], api_name="cards"
        )
        character.input(
            h.pick_character, inputs=[project, character], outputs=character_fields, api_visibility="private"
        )
        save_character.click(
            h.save_character,
            inputs=[project, character, char_name, char_identity, char_appearance, char_clothing, char_voice],
            outputs=[cards_status, character],
            api_name="save_character",
        )
        image_upload.upload(
            h.upload_image,
            inputs=[project, character, image_upload],
            outputs=[cards_status, char_image, char_audio],
            api_name="upload_image",
        )
        audio_upload.upload(
            h.upload_audio,
            inputs=[project, character, audio_upload],
            outputs=[cards_status, char_image, char_audio],
            api_name="upload_audio",
        )
        scene.input(h.pick_scene, inputs=[project, scene], outputs=scene_fields, api_visibility="private")
        save_scene.click(
            h.save_scene, inputs=[project, scene, *scene_fields], outputs=cards_status, api_name="save_scene"
        )

        export.click(
            h.export, inputs=[project, force], outputs=[export_status, downloads, film], api_name="export", **run
        )
        settings_tab.select(
            h.show_settings, outputs=[llm_base_url, llm_model, backend, width, height, review], api_visibility="private"
        )
        apply.click(
            h.apply_settings,
            inputs=[llm_base_url, llm_model, llm_api_key, backend, width, height, review],
            outputs=settings_status,
            api_name="apply_settings",
        )
    return demo
