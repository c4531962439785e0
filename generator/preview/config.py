"""What the preview backend can be configured with (built from the app's settings by the Director)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from generator.types import MemoryWindow


class PreviewConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    subtitles: bool = True  # burn the dialogue into the frames (lines that cannot be drawn are reported)
    memory_window: MemoryWindow = "speech"  # speech: report the dialogue stem's energy for the take's memory window
