"""A character's voice to listen to on its card: the reference recording when the card has one, else a short line
spoken with the preview backend's voice for that card (eSpeak NG, offline), written under the project's folder
in the home and reused until the card, the line or the language changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from director.prompt_fit import character_in_shot
from director.ui import views
from generator.audio import write_wav
from generator.preview.sound import normalise_speech
from generator.preview.speech import synthesize, voice_for_character
from workspace.db import Workspace
from workspace.project_view import CharacterView, ProjectState

VOICES_KIND = "voices"
DEFAULT_LINES = {"zh": "你好，我是{name}。"}
DEFAULT_LINE = "Hello, my name is {name}. Nice to meet you."


@dataclass(frozen=True)
class VoiceSample:
    path: str
    text: str  # what is said; empty for a reference recording
    source: str  # "reference" | "preview voice"


def sample_line(state: ProjectState, card: CharacterView) -> str:
    """The character's first line of dialogue in the shot plan, else a greeting in the project's language."""
    for shot in state.shots:
        for line in shot.dialogue:
            if line.get("speaker") == card.char_id and str(line.get("text", "")).strip():
                return str(line["text"]).strip()
    language = state.project.language.split("-")[0].lower()
    return DEFAULT_LINES.get(language, DEFAULT_LINE).format(name=card.name)


def voice_sample(workspace: Workspace, state: ProjectState, card: CharacterView) -> VoiceSample:
    """The sample to play; GeneratorError when the preview voice cannot speak the project's language."""
    reference = views.media_path(workspace, card.reference_audio)
    if reference is not None:
        return VoiceSample(reference, "", "reference")
    text = sample_line(state, card)
    profile = voice_for_character(character_in_shot(card))
    language = state.project.language
    digest = hashlib.sha256(f"{profile.describe()}|{language}|{text}".encode()).hexdigest()[:16]
    folder = workspace.media.project_dir(state.project.id) / VOICES_KIND
    path = folder / f"{card.char_id}-{digest}.wav"
    if not path.is_file():
        wave, rate = synthesize(text, profile, language)
        write_wav(path, normalise_speech(wave), rate)
        for older in folder.glob(f"{card.char_id}-*.wav"):
            if older != path:
                older.unlink(missing_ok=True)
    return VoiceSample(str(path), text, "preview voice")
