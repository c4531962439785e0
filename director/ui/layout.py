"""The page: project picker, chat with the Director, and tabs for storyboard, story, shot, compare, film, cards,
evaluation, export and settings (story, compare, film, cards and evaluation are wired in `creator_tabs`).

Every event has an `api_name`, so `gradio_client` (and the tests) can drive the same handlers the buttons do.
Long Director work shares one concurrency slot: one film is made at a time per app.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from director.ui import creator_tabs, views
from director.ui.context import AppContext
from director.ui.editors import Editors
from director.ui.evaluation_tab import evaluation_tab
from director.ui.handlers import OPTION_BUTTONS, START_HINT, Handlers
from director.ui.server import CACHE_MAX_AGE_S, CACHE_SWEEP_EVERY_S
from director.ui.shot_editor import DIALOGUE_HINT, DIALOGUE_ROWS, ShotEditor
from generator.registry import BACKENDS
from generator.types import MAX_CHARACTERS_PER_SHOT

DIRECTOR_QUEUE = "director"
HINT = (
    "**How it works:** 1) describe your film idea in the chat and press **Send** · 2) read the proposed story and "
    "press **Approve** · 3) watch the shots appear in the **Storyboard**; click one to watch it, give feedback or "
    "go back to an earlier version · 4) open **Export** and download your film."
)
IDEA_PLACEHOLDER = "e.g. A lighthouse keeper and a lost robot become friends during a storm. 3 shots, warm and gentle."
CSS = """
#downloads td { cursor: pointer; }
.echo-activity { display: flex; align-items: center; gap: 12px; padding: 4px 0; }
.echo-activity progress { flex: 0 0 40%; height: 12px; accent-color: var(--color-accent); }
#storyboard .grid-wrap { padding-top: 2.25rem; }
#storyboard .grid-container { grid-template-rows: none; grid-auto-rows: auto; }
#storyboard .thumbnail-item { aspect-ratio: auto; height: auto; display: flex; flex-direction: column; }
#storyboard .thumbnail-item > img { height: auto; aspect-ratio: 5 / 3; flex: none; }
#storyboard .caption-label {
  position: static; max-width: none; white-space: pre-line; text-overflow: clip; overflow: visible; border: 0;
  border-top: 1px solid var(--border-color-primary); border-radius: 0; flex: 1; line-height: 1.35;
}
#storyboard .thumbnail-lg:hover .caption-label { opacity: 1; }
#storyboard .gallery-item[hidden] { display: none; }
#storyboard[data-note]:not([data-note=""])::after {
  content: attr(data-note); display: block; padding: 0 var(--size-3) var(--size-3);
}
"""
# The storyboard filter runs in the page: tiles it leaves out are hidden, not removed, so a click's index still
# names its shot, and it holds while the Director rewrites the storyboard (a server-side filter listening to the
# storyboard's "change" would run in the middle of the Director's stream and lose some of its updates). It reads
# the first line of each caption (`views.tile_caption`): "Shot N · 4.8 s · v2 · stale".
# A click anywhere on a row of Downloads (the file name too, not only its size) downloads that file.
PAGE_JS = """
() => {
  document.addEventListener("click", (event) => {
    const cell = event.target.closest("#downloads td");
    if (!cell || cell.classList.contains("download")) return;
    const link = cell.closest("tr")?.querySelector("td.download a");
    if (link) link.click();
  });
}
"""
BOARD_FILTER_JS = """
(show) => {
  const board = document.getElementById("storyboard");
  board.dataset.show = show;
  const apply = () => {
    const items = [...board.querySelectorAll(".gallery-item")];
    let kept = 0;
    for (const item of items) {
      const head = (item.querySelector(".caption-label")?.textContent ?? "").split("\\n")[0];
      const keep = board.dataset.show === "Pending" ? !/ · v\\d+ · /.test(head)
        : board.dataset.show === "Stale" ? head.endsWith(" · stale") : true;
      item.hidden = !keep;
      kept += keep ? 1 : 0;
    }
    const what = board.dataset.show === "Pending" ? "waiting to be generated" : "stale";
    board.dataset.note = board.dataset.show === "All" || !items.length ? ""
      : kept ? `Showing ${kept} of ${items.length} shots (${what}).`
      : `No shot is ${what}: choose All to see every shot.`;
  };
  if (!board.echoFilter) {
    board.echoFilter = new MutationObserver(apply);
    board.echoFilter.observe(board, { childList: true, subtree: true, characterData: true });
  }
  apply();
}
"""
BOARD_FILTERS = ["All", "Pending", "Stale"]


def build_app(ctx: AppContext) -> gr.Blocks:
    h = Handlers(ctx)
    e = Editors(ctx, h.run_started)
    se = ShotEditor(ctx, h, e)
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
        activity = gr.HTML("", visible=views.visibility(False), elem_id="activity")
        with gr.Row():
            with gr.Column(scale=5):
                talk = chat_column()
            with gr.Column(scale=7), gr.Tabs(elem_id="tabs") as tabs:
                with gr.Tab("Storyboard", id="storyboard"):
                    board_filter = gr.Radio(
                        BOARD_FILTERS,
                        value="All",
                        label="Show (Pending: not generated yet · Stale: made before a change, regenerate it)",
                        elem_id="board-filter",
                    )
                    storyboard = gr.Gallery(
                        label="Storyboard: click a shot to watch it, revise it or go back to an earlier version",
                        columns=3,
                        height="auto",
                        fit_columns=False,
                        allow_preview=False,
                        object_fit="contain",
                        elem_id="storyboard",
                    )
                with gr.Tab("Story", id="story") as story_tab:
                    story = creator_tabs.story_tab()
                with gr.Tab("Shot", id="shot"):
                    shot = shot_tab()
                with gr.Tab("Compare", id="compare"):
                    compare = creator_tabs.compare_tab()
                with gr.Tab("Film", id="film") as film_tab:
                    film = creator_tabs.film_tab()
                with gr.Tab("Cards", id="cards") as cards_tab:
                    cards = creator_tabs.cards_tab(ctx, h, project, cards_tab)
                with gr.Tab("Evaluation", id="evaluation") as evaluation_page:
                    evaluation = evaluation_tab()
                with gr.Tab("Export", id="export") as export_tab:
                    out = export_tab_contents()
                with gr.Tab("Settings", id="settings") as settings_tab:
                    conf = settings_tab_contents()

        director_outputs = [project, talk.chat, *talk.options, storyboard, summary, activity, talk.generate]
        inspector_outputs = [
            shot.header, shot.video, shot.dialogue, shot.prompt, shot.memory, shot.versions, shot.shown
        ]  # fmt: skip
        cleared_inspector = {"fn": e.clear_inspector, "outputs": [*inspector_outputs, shot.number, shot.status]}
        ed = shot.editor
        editor_fields = [ed.scene, ed.characters, ed.duration, ed.action, ed.camera, *ed.dialogue]
        editor_shows = [ed.dialogue_hint, ed.prompt, ed.length, ed.own_prompt, ed.own_length, ed.shot_id]
        editor_outputs = [*editor_fields, *editor_shows]
        run = {"concurrency_id": DIRECTOR_QUEUE, "concurrency_limit": 1, "show_progress": "hidden"}
        export_outputs = [out.status, out.downloads, out.film]

        demo.load(h.load, outputs=director_outputs, api_name="load")
        project.input(h.open_project, inputs=project, outputs=director_outputs, api_name="open_project").then(
            **cleared_inspector, api_visibility="private"
        ).then(se.clear, outputs=editor_outputs, api_visibility="private")
        new_film.click(h.new_film, outputs=director_outputs, api_name="new_film").then(
            lambda: gr.Tabs(selected="storyboard"), outputs=tabs, api_visibility="private"
        ).then(**cleared_inspector, api_visibility="private").then(
            se.clear, outputs=editor_outputs, api_visibility="private"
        )

        talk.chat.clear(h.clear_chat, inputs=project, outputs=[talk.chat, *talk.options], api_name="clear_chat")

        # After a run of the Director: the summary and the Generate button as the film now is (see handlers._drive).
        settled = {"fn": h.refresh, "inputs": project, "outputs": [summary, talk.generate], "api_visibility": "private"}
        # After a reply, `after_reply` opens the Export tab if the Director just exported the film from the chat.
        after_reply = {"fn": e.after_reply, "inputs": project, "outputs": [tabs, *export_outputs]}
        send_inputs = [talk.sending, project]
        for trigger, name in ((talk.send.click, "send"), (talk.message.submit, None)):
            visibility = {"api_name": name} if name else {"api_visibility": "private"}
            taken = trigger(
                lambda text: ("", text), inputs=talk.message, outputs=[talk.message, talk.sending], queue=False,
                api_visibility="private",
            )  # fmt: skip
            # "multiple": a message sent while the Director works waits its turn instead of being dropped
            sent = taken.then(
                h.send, inputs=send_inputs, outputs=director_outputs, trigger_mode="multiple", **visibility, **run
            )
            sent.then(**settled).then(**after_reply, api_visibility="private")
        for button in talk.options:
            button.click(
                h.send, inputs=[button, project], outputs=director_outputs, api_visibility="private", **run
            ).then(**settled).then(**after_reply, api_visibility="private")
        talk.generate.click(h.generate, inputs=project, outputs=director_outputs, api_name="generate", **run).then(
            **settled
        )

        load_editor = {"fn": se.load, "inputs": [project, shot.number], "outputs": editor_outputs}
        storyboard.select(
            e.pick_shot, inputs=project, outputs=[shot.number, tabs, *inspector_outputs, shot.status]
        ).then(**load_editor, api_visibility="private")
        shot.show.click(
            e.inspect, inputs=[project, shot.number], outputs=inspector_outputs, api_name="inspect_shot"
        ).then(lambda: "", outputs=shot.status, api_visibility="private").then(**load_editor, api_name="shot_editor")
        shot.revise.click(
            h.revise,
            inputs=[project, shot.shown, shot.number, shot.feedback],
            outputs=[*director_outputs, shot.status, shot.feedback],
            api_name="revise_shot",
            **run,
        ).then(**settled).then(
            e.inspect, inputs=[project, shot.number], outputs=inspector_outputs, api_visibility="private"
        ).then(**load_editor, api_visibility="private")
        shot.rollback.click(
            e.rollback,
            inputs=[project, shot.shown, shot.number, shot.versions],
            outputs=[shot.status, storyboard],
            api_name="rollback",
        ).then(e.inspect, inputs=[project, shot.number], outputs=inspector_outputs, api_visibility="private").then(
            h.refresh, inputs=project, outputs=[summary, talk.generate], api_visibility="private"
        ).then(**load_editor, api_visibility="private").then(
            se.offer_buttons, inputs=project, outputs=talk.options, api_visibility="private"
        )

        # The shot editor: the prompt follows the fields as they are typed; every change names the film and the shot
        # the editor was filled from (`target`), and shows the storyboard, the summary and the shot afterwards.
        live = {"trigger_mode": "always_last", "show_progress": "hidden", "api_visibility": "private"}
        # What the creator does, not the values a handler sets (those come with their own prompt); a Textbox's
        # "input" follows the keys only, so leaving it also counts (text pasted with the mouse).
        texts = [field for field in editor_fields if isinstance(field, gr.Textbox)]
        typed = [field.input for field in editor_fields] + [field.blur for field in texts]
        preview = {"fn": se.preview, "inputs": [project, ed.shot_id, *editor_fields], "outputs": [ed.prompt, ed.length]}
        gr.on(typed, **preview, **live)
        speakers = ed.dialogue[::2]
        ed.characters.input(se.speakers, inputs=[project, ed.characters, *speakers], outputs=speakers, **live).then(
            **preview, **live
        )  # the rows' speakers follow the characters, then the prompt follows the rows
        own = [ed.own_prompt.input, ed.own_prompt.blur]
        gr.on(own, se.measure, inputs=ed.own_prompt, outputs=ed.own_length, **live)
        target = [project, shot.shown, ed.shot_id, shot.number]
        changed = [ed.status, storyboard, summary, talk.generate, *talk.options, shot.number, *inspector_outputs,
                   *editor_outputs]  # fmt: skip
        ed.save.click(se.save, inputs=[*target, *editor_fields], outputs=changed, api_name="save_shot")
        ed.save_prompt.click(
            se.save_prompt, inputs=[*target, ed.own_prompt, *editor_fields], outputs=changed, api_name="save_prompt"
        )
        inserts = [
            (ed.insert_before, se.insert_before, "insert_before"),
            (ed.insert_after, se.insert_after, "insert_after"),
        ]
        for button, handler, name in inserts:
            button.click(handler, inputs=[*target, ed.new_action], outputs=[*changed, ed.new_action], api_name=name)
        moves = [
            (ed.duplicate, se.duplicate, "duplicate_shot"), (ed.move_up, se.move_up, "move_up"),
            (ed.move_down, se.move_down, "move_down"), (ed.delete, se.delete, "delete_shot"),
        ]  # fmt: skip
        for button, handler, name in moves:
            button.click(handler, inputs=target, outputs=changed, api_name=name)
        ed.regenerate.click(
            se.regenerate,
            inputs=target,
            outputs=[*director_outputs, ed.status, shot.number, *inspector_outputs, *editor_outputs],
            api_name="regenerate_shot",
            **run,
        ).then(**settled)
        board_filter.change(None, inputs=board_filter, js=BOARD_FILTER_JS, api_visibility="private")

        page = creator_tabs.page_parts(
            ctx, h, e, run, project=project, storyboard=storyboard, summary=summary, generate=talk.generate,
            director_outputs=director_outputs, settled=settled,
        )  # fmt: skip
        creator_tabs.wire_story(page, story_tab, story)
        creator_tabs.wire_compare(page, compare)
        creator_tabs.wire_film(page, film_tab, film)
        creator_tabs.wire_cards(page, cards_tab, cards)
        creator_tabs.wire_evaluation(page, evaluation_page, evaluation)

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
        hidden = views.visibility(False)
        options = [gr.Button(visible=hidden, variant="primary", elem_id=f"option-{i}") for i in range(OPTION_BUTTONS)]
    message = gr.Textbox(
        label="Your message (an idea, an answer, or what to change)",
        placeholder=IDEA_PLACEHOLDER,
        lines=3,
        max_lines=12,
        elem_id="message",
    )
    sending = gr.Textbox(visible=False)  # the message on its way to the Director: the box empties at once
    with gr.Row():
        send = gr.Button("Send", variant="primary", elem_id="send")
        generate = gr.Button("Generate pending shots", visible=views.visibility(False), elem_id="generate")
    return SimpleNamespace(chat=chat, options=options, message=message, sending=sending, send=send, generate=generate)


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
    editor = shot_editor_section()
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
        status=status, versions=versions, rollback=rollback, prompt=prompt, memory=memory, shown=shown, editor=editor,
    )  # fmt: skip


def shot_editor_section() -> SimpleNamespace:
    """The shot's fields, with the prompt they compile to as they are typed; a prompt of one's own; the shot list."""
    # The lists change with the shot shown: a value sent just before its list changed is checked by the handlers
    # (and the tools), not refused by Gradio.
    lists = {"choices": [], "allow_custom_value": True}
    with gr.Accordion("Edit this shot", open=True, elem_id="shot-editor"):
        with gr.Row():
            scene = gr.Dropdown(label="Scene", scale=2, elem_id="edit-scene", **lists)
            characters = gr.Dropdown(
                label=f"Characters (at most {MAX_CHARACTERS_PER_SHOT})",
                multiselect=True,
                max_choices=MAX_CHARACTERS_PER_SHOT,
                scale=3,
                elem_id="edit-characters",
                **lists,
            )
            duration = gr.Dropdown(
                label="Duration", choices=views.duration_choices(), scale=2, min_width=200, elem_id="edit-duration"
            )
        action = gr.Textbox(label="Action (what happens)", lines=2, elem_id="edit-action")
        camera = gr.Textbox(label="Camera", placeholder="e.g. slow dolly in to a close-up", elem_id="edit-camera")
        dialogue_hint = gr.Markdown(DIALOGUE_HINT)
        dialogue = []
        for row in range(DIALOGUE_ROWS):
            with gr.Row(equal_height=True):
                dialogue.append(gr.Dropdown(label="Speaker", scale=1, min_width=160, elem_id=f"edit-speaker-{row}",
                                            **lists))  # fmt: skip
                dialogue.append(gr.Textbox(label=f"Line {row + 1}", scale=3, elem_id=f"edit-line-{row}"))
        prompt = gr.Textbox(
            label="Prompt these fields compile to (it follows your typing)",
            lines=5,
            interactive=False,
            elem_id="edit-prompt",
        )
        length = gr.HTML(elem_id="edit-prompt-length")
        with gr.Row():
            save = gr.Button("Save changes", variant="primary", elem_id="save-shot")
            regenerate = gr.Button("Regenerate this shot", elem_id="regenerate-shot")
        with gr.Accordion("Advanced: write the prompt yourself", open=False, elem_id="advanced-prompt"):
            gr.Markdown(
                "The prompt the shot's next render sends. Edit it and save it: it is used for this shot's renders "
                "until its fields or its characters' cards change (then the prompt is compiled again). Keep every "
                "card sentence of the shot's characters word for word."
            )
            own_prompt = gr.Textbox(show_label=False, lines=6, elem_id="own-prompt")
            own_length = gr.HTML(elem_id="own-prompt-length")
            save_prompt = gr.Button("Save my prompt", elem_id="save-prompt")
        new_action = gr.Textbox(
            label="A new shot: what happens (it gets this shot's scene)",
            placeholder="e.g. Mia runs down the stairs with the lantern.",
            elem_id="new-shot-action",
        )
        with gr.Row():
            insert_before = gr.Button("Insert before", size="sm", elem_id="insert-before")
            insert_after = gr.Button("Insert after", size="sm", elem_id="insert-after")
            duplicate = gr.Button("Duplicate", size="sm", elem_id="duplicate-shot")
            move_up = gr.Button("Move up", size="sm", elem_id="move-up")
            move_down = gr.Button("Move down", size="sm", elem_id="move-down")
            delete = gr.Button("Delete", size="sm", variant="stop", elem_id="delete-shot")
        status = gr.Markdown(elem_id="edit-status")
    shot_id = gr.State(None)  # the shot the editor was filled from: a change must be about that shot
    return SimpleNamespace(
        scene=scene, characters=characters, duration=duration, action=action, camera=camera,
        dialogue_hint=dialogue_hint, dialogue=dialogue, prompt=prompt, length=length, save=save, regenerate=regenerate,
        own_prompt=own_prompt, own_length=own_length, save_prompt=save_prompt, new_action=new_action,
        insert_before=insert_before, insert_after=insert_after, duplicate=duplicate, move_up=move_up,
        move_down=move_down, delete=delete, status=status, shot_id=shot_id,
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
