"""Reference uploads: real decoding, size limit, generated names, and nothing changed when a file is refused."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlmodel import select

from generator.audio import read_wav, write_wav
from generator.errors import EchoError
from tools.base import Toolbox
from tools.references import attach_reference
from workspace.db import Workspace, open_workspace
from workspace.models import ToolCall
from workspace.project_view import CharacterView, load_project_state
from workspace.uploads import store_reference


@pytest.fixture
def upload_project(tmp_path: Path) -> tuple[Workspace, int]:
    workspace = open_workspace(tmp_path / "home", upload_max_bytes=200_000)
    toolbox = Toolbox(workspace, actor="director")
    project_id = toolbox.call("create_project", {"title": "Uploads"}).data["project_id"]
    assert toolbox.call("add_character", {"project_id": project_id, "name": "Mara", "identity": "a tall woman"}).ok
    yield workspace, project_id
    workspace.close()


def png_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def home_files(workspace: Workspace) -> set[str]:
    return {p.relative_to(workspace.home).as_posix() for p in (workspace.home / "projects").rglob("*") if p.is_file()}


def card(workspace: Workspace, project_id: int) -> CharacterView:
    return load_project_state(workspace, project_id).character("ID_A")


def test_image_is_stored_reencoded_under_a_generated_name(upload_project, tmp_path: Path) -> None:
    workspace, project_id = upload_project
    source = tmp_path / "my face.jpg"
    Image.new("RGB", (80, 60), (10, 120, 200)).save(source, format="JPEG")

    result = attach_reference(workspace, project_id, "ID_A", source, "image")

    assert result.ok, result.message
    stored = card(workspace, project_id).reference_image
    assert stored.startswith(f"projects/{project_id}/references/") and stored.endswith(".png")
    assert "face" not in stored
    with Image.open(workspace.media.resolve(stored)) as image:
        assert image.format == "PNG" and image.size == (80, 60)
    assert card(workspace, project_id).version == 2
    with workspace.read_session() as session:
        call = session.exec(select(ToolCall).where(ToolCall.tool == "update_character")).one()
    assert call.actor == "user" and call.ok


def test_voice_sample_wav_is_stored(upload_project, tmp_path: Path) -> None:
    workspace, project_id = upload_project
    source = tmp_path / "voice.wav"
    t = np.arange(16_000) / 16_000
    write_wav(source, (0.3 * np.sin(2 * np.pi * 180 * t)).astype(np.float32), 16_000)

    assert attach_reference(workspace, project_id, "ID_A", source, "audio").ok

    stored = card(workspace, project_id).reference_audio
    wave, rate = read_wav(workspace.media.resolve(stored))
    assert stored.endswith(".wav") and rate == 16_000 and wave.size == 16_000


@pytest.mark.parametrize(("name", "kind"), [("notes.png", "image"), ("notes.wav", "audio"), ("notes.mp3", "audio")])
def test_renamed_text_file_is_refused_and_nothing_changes(
    upload_project, workspace_snapshot, tmp_path: Path, name: str, kind
) -> None:
    workspace, project_id = upload_project
    source = tmp_path / name
    source.write_text("this is not media, just text pretending to be\n" * 20)
    before = workspace_snapshot(workspace)

    with pytest.raises(EchoError, match=r"is not a readable (image|audio file)"):
        attach_reference(workspace, project_id, "ID_A", source, kind)

    assert workspace_snapshot(workspace) == before


def test_truncated_image_is_refused(upload_project, tmp_path: Path) -> None:
    workspace, project_id = upload_project
    source = tmp_path / "cut.png"
    source.write_bytes(png_bytes((400, 300))[:200])
    with pytest.raises(EchoError, match="not a readable image"):
        store_reference(workspace, project_id, source, "image")
    assert home_files(workspace) == set()


def test_oversized_file_is_refused_with_the_limit(upload_project, tmp_path: Path) -> None:
    workspace, project_id = upload_project
    source = tmp_path / "huge.png"
    noise = np.random.default_rng(0).integers(0, 255, (400, 400, 3), dtype=np.uint8)
    Image.fromarray(noise).save(source, format="PNG")
    assert source.stat().st_size > workspace.upload_max_bytes

    with pytest.raises(EchoError, match=r"upload limit is 0\.2 MB"):
        attach_reference(workspace, project_id, "ID_A", source, "image")
    assert home_files(workspace) == set() and card(workspace, project_id).reference_image is None


def test_path_like_file_name_never_reaches_the_home(upload_project, tmp_path: Path) -> None:
    workspace, project_id = upload_project
    odd = tmp_path / "..%2F..%2Fetc%2Fpasswd;rm -rf ~ $(id) ..\\..\\evil.png"
    odd.write_bytes(png_bytes())

    assert attach_reference(workspace, project_id, "ID_A", odd, "image").ok

    (stored,) = home_files(workspace)
    name = Path(stored).name
    assert stored.startswith(f"projects/{project_id}/references/")
    assert len(name) == 36 and name[:32].isalnum() and name.endswith(".png")
    assert not (tmp_path / "etc").exists() and not (workspace.home.parent / "evil.png").exists()


def test_unknown_character_is_refused_before_anything_is_stored(upload_project, tmp_path: Path) -> None:
    workspace, project_id = upload_project
    source = tmp_path / "face.png"
    source.write_bytes(png_bytes())
    with pytest.raises(EchoError, match="unknown character ID_Q"):
        attach_reference(workspace, project_id, "ID_Q", source, "image")
    assert home_files(workspace) == set()


def test_too_short_sound_is_refused(upload_project, tmp_path: Path) -> None:
    workspace, project_id = upload_project
    source = tmp_path / "blip.wav"
    write_wav(source, np.zeros(800, dtype=np.float32), 16_000)
    with pytest.raises(EchoError, match="at least 1 s"):
        store_reference(workspace, project_id, source, "audio")
