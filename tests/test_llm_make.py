"""`echo-director make --yes` against a scripted OpenAI-compatible server on 127.0.0.1 answering a rich 8-shot
plan whose first shot compiles over the prompt limit: the plan node asks the model to shorten that one shot before
anything renders, all 8 shots are generated, and every sentence the plan wrote reaches its shot's prompt."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from test_llm_http import ScriptedServer

from generator.prompt import MAX_PROMPT_CHARS
from workspace.db import open_workspace
from workspace.models import ShotCondition
from workspace.project_view import load_project_state

REPO = Path(__file__).resolve().parents[1]
IDEA = "Ines, a lighthouse keeper, and Tomas, a fisherman, save a stranded whale calf on a stormy night"
INES = {
    "name": "Ines",
    "identity": "A weathered lighthouse keeper in her sixties with cropped silver hair, deep-set grey eyes and a "
    "long scar along her left jaw.",
    "clothing": "A heavy navy oilskin coat over a cream fisherman's sweater, with brass-buckled rubber boots.",
    "voice": "A low, steady, slightly hoarse female voice with a calm coastal accent.",
}
TOMAS = {
    "name": "Tomas",
    "identity": "A broad-shouldered fisherman in his thirties with a thick black beard, sunburnt cheeks and "
    "brown eyes.",
    "clothing": "A faded orange rain jacket, a grey knitted watch cap and green waders.",
    "voice": "A warm, booming male baritone that cracks when he is worried.",
}
LONG_ACTION = " ".join(
    [
        "Ines climbs the spiral stairs of the lighthouse two at a time while the storm hammers the glass.",
        "She grips the brass rail as the whole tower shudders under a wave.",
        "At the top she swings the great lens toward the bay and squints through the rain.",
        "Far below, a pale shape thrashes in the shallows between the black rocks.",
        "She presses her palm to the cold window, breath fogging the glass, and her jaw tightens.",
        "She grabs a coil of rope and a storm lantern from the hook beside the door.",
        "The beam sweeps over the water again and again, catching the white flash of a tail.",
        "She shouts down the stairwell for help, but only the wind answers her.",
        "She pulls on her gloves, checks the lantern's flame and starts down the steps.",
        "Halfway down she stops at the narrow window and sees a second, larger shadow circling beyond the reef.",
        "She whispers a promise to the sea and hurries on, the lantern swinging wildly in her hand.",
        "At the foot of the tower she shoulders the heavy door open against the gale and steps into the rain.",
        "The wind tears at her coat and the rope slips from her shoulder, so she stops to loop it tighter.",
        "She lifts the lantern high and picks her way along the slick path at the edge of the cliff.",
        "Below her the waves explode against the rocks, throwing spray up into the beam of the lighthouse.",
        "She calls the calf's name she has not yet given it, laughing at herself, and keeps on walking down.",
    ]
)


def shot(action: str, who: list[str], line: tuple[str, str] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "scene": fields.pop("scene", "Lighthouse"),
        "characters": who,
        "action": action,
        "dialogue": [{"speaker": line[0], "text": line[1]}] if line else [],
        "camera": fields.pop("camera", "slow push-in at eye level"),
        "duration_s": fields.pop("duration_s", 4.84),
        **fields,
    }


PLAN = {
    "characters": [INES, TOMAS],
    "scenes": [
        {
            "name": "Lighthouse",
            "location": "a stone lighthouse on a cliff",
            "time_of_day": "night",
            "description": "Rain lashes the lantern room; the beam sweeps the bay.",
        },
        {
            "name": "Shore",
            "location": "a rocky shore below the cliff",
            "time_of_day": "night",
            "description": "Black rocks, white surf, wind-torn foam.",
        },
    ],
    "shots": [
        shot(
            LONG_ACTION,
            ["Ines"],
            sound_effects="Thunder, rain on glass, the groan of the tower.",
            music="Low cello drone.",
            camera="handheld, climbing behind her, then a tight close-up at the window",
        ),
        shot("Ines hurries down the cliff path with the lantern.", ["Ines"], scene="Shore"),
        shot(
            "Tomas hauls his boat onto the shingle and looks up at the light.",
            ["Tomas"],
            scene="Shore",
            line=("Tomas", "Ines! Did you see it?"),
        ),
        shot(
            "Ines points at the calf trapped between the rocks.",
            ["Ines", "Tomas"],
            scene="Shore",
            line=("Ines", "It's a calf. Its mother is out past the reef."),
        ),
        shot(
            "Tomas wades in and wraps the rope around his shoulder.",
            ["Tomas"],
            scene="Shore",
            line=("Tomas", "Hold the lantern steady."),
        ),
        shot(
            "Together they pull the calf free as a wave lifts it.",
            ["Ines", "Tomas"],
            scene="Shore",
            sound_effects="Crashing surf, a high whale cry.",
        ),
        shot(
            "The calf slips into open water and a great tail rises beyond the reef.",
            ["Ines", "Tomas"],
            scene="Shore",
            line=("Ines", "There she is."),
        ),
        shot(
            "Ines and Tomas sit on the rocks at dawn, soaked and laughing.",
            ["Ines", "Tomas"],
            scene="Shore",
            music="A gentle accordion waltz.",
            line=("Tomas", "Same time tomorrow?"),
        ),
    ],
}
SHORTER_FIRST_SHOT = shot(
    "Ines climbs the lighthouse stairs in the storm and spots a pale shape thrashing in the shallows below.",
    ["Ines"],
    camera="",
)
STORY = {
    "title": "The Calf in the Bay",
    "description": "On a stormy night a lighthouse keeper and a fisherman free a whale calf trapped in the rocks.",
    "style": "Cinematic, cold blue storm light against warm lantern glow.",
    "language": "en",
    "cast": [{"name": "Ines", "description": "a lighthouse keeper"}, {"name": "Tomas", "description": "a fisherman"}],
    "places": ["the lighthouse", "the rocky shore"],
    "beats": ["Ines spots the calf.", "Tomas helps her.", "They free it.", "Dawn."],
}


def sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", text) if part.strip()]


def with_ids(text: str) -> str:
    return text.replace("Ines", "ID_A").replace("Tomas", "ID_B")


def test_make_yes_fits_an_overlong_first_shot_and_renders_all_eight(tmp_path: Path) -> None:
    answers = [
        {"intent": "new_story", "feedback": IDEA},
        STORY,
        PLAN,
        SHORTER_FIRST_SHOT,
        *[{"ok": True, "issues": []}] * 30,  # the LLM critic after each take (and any retake)
    ]
    home = tmp_path / "home"
    with ScriptedServer(answers) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECHO_")}
        env.update(ECHO_LLM_BASE_URL=server.base_url, ECHO_LLM_TIMEOUT_S="20")
        command = [sys.executable, "-m", "director.cli", "--home", str(home), "--width", "64", "--height", "64"]
        done = subprocess.run(
            [*command, "make", IDEA, "--shots", "8", "--yes"], cwd=REPO, env=env, capture_output=True, text=True,
            timeout=900,
        )  # fmt: skip
        requests = list(server.requests)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    fit_request = json.dumps(requests[3]["messages"])
    assert "shot 1" in fit_request.casefold() and str(MAX_PROMPT_CHARS) in fit_request

    workspace = open_workspace(home)
    try:
        project = load_project_state(workspace, 1)
        assert len(project.shots) == 8 and all(s.current_take is not None for s in project.shots)
        with workspace.read_session() as session:
            prompts = {
                shot.number: session.get(ShotCondition, shot.current_take.condition_id).prompt for shot in project.shots
            }
    finally:
        workspace.close()
    planned = [SHORTER_FIRST_SHOT, *PLAN["shots"][1:]]
    for number, spec in enumerate(planned, start=1):
        prompt = prompts[number]
        assert len(prompt) <= MAX_PROMPT_CHARS
        described = [spec["action"], spec["camera"], spec.get("sound_effects", ""), spec.get("music", "")]
        spoken = [line["text"] for line in spec["dialogue"]]  # words are spoken as written: names stay names
        for sentence in [s for text in described for s in sentences(with_ids(text))]:
            assert sentence[1:] in prompt, (number, sentence, prompt)  # the first letter may be lowered
        for line in spoken:
            assert line in prompt, (number, line, prompt)
        for card in (INES, TOMAS):
            if card["name"] in spec["characters"]:
                for field in ("identity", "clothing"):  # in the anchor forms: "ID_A is a ...", "ID_A wears a ..."
                    assert card[field][1:] in prompt, (number, field)
