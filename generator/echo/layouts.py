"""Where each part of JoyAI-Echo lives in the folders users have, checked before anything heavy is loaded. No torch.

Accepted layouts of ECHO_MODEL_DIR (all local; nothing is downloaded):
- diffusers' converter output (`scripts/convert_echo_to_diffusers.py` in the diffusers repository):
  modular_model_index.json + transformer/ connectors/ vae/ audio_vae/ vocoder/; its index takes the Gemma 3 text
  encoder and tokenizer from the converter's `--base-model` (a Gemma folder with both at its root);
- the official converter output (`echo_longvideo/scripts/convert_echo_to_diffusers.py` in JoyAI-Echo): the same five
  folders and no index; the text encoder and tokenizer come from ECHO_BASE_MODEL_DIR (the LTX-2.3 Diffusers folder of
  the official inference config, with text_encoder/ and tokenizer/, or a Gemma folder with both at its root);
- a merged folder: model_index.json (library `ltx2` for connectors and vocoder) and all seven subfolders;
- what `EchoModularPipeline.save_pretrained` writes: modular_model_index.json and all seven subfolders.

Echo's own five parts always come from ECHO_MODEL_DIR (the official release notes that a base pipeline's VAE or
vocoder is not numerically Echo's). The text encoder and tokenizer come from ECHO_BASE_MODEL_DIR when it is set, else
from ECHO_MODEL_DIR, else from the local folder its index names. An index, when present, must name each Echo part by
the class its config.json holds and the library diffusers imports that class from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from generator.types import GeneratorError

INDEX_FILES = ("modular_model_index.json", "model_index.json")
GEMMA_PARTS = ("tokenizer", "text_encoder")
ECHO_PARTS = ("connectors", "transformer", "vae", "audio_vae", "vocoder")
PARTS = (*GEMMA_PARTS, *ECHO_PARTS)
# Per Echo part: the classes it may be, each with the library name an index must give for diffusers to import it.
ECHO_CLASSES: dict[str, dict[str, str]] = {
    "connectors": {"LTX2TextConnectors": "ltx2"},
    "transformer": {"LTX2VideoTransformer3DModel": "diffusers"},
    "vae": {"AutoencoderKLLTX2Video": "diffusers"},
    "audio_vae": {"AutoencoderKLLTX2Audio": "diffusers"},
    "vocoder": {"LTX2VocoderWithBWE": "ltx2", "LTX2Vocoder": "ltx2"},
}
GEMMA_CLASSES = {"tokenizer": "AutoTokenizer", "text_encoder": "Gemma3ForConditionalGeneration"}
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model")
WEIGHT_SUFFIXES = (".safetensors", ".bin")
BASE_SETTING = "ECHO_BASE_MODEL_DIR / --base-model-dir"
BASE_HINT = (
    f"Set {BASE_SETTING} to a local folder holding them: the LTX-2.3 Diffusers folder of "
    "the official inference config (text_encoder/ and tokenizer/) or a google/gemma-3-12b-it folder (both at its root)."
)
LAYOUT_HINT = (
    "Point ECHO_MODEL_DIR (or --model-dir) at the output folder of diffusers' or the official JoyAI-Echo converter "
    "(transformer/, connectors/, vae/, audio_vae/, vocoder/), or at a folder EchoModularPipeline.save_pretrained "
    "wrote; see README, 'Real weights: the echo backend'."
)


@dataclass(frozen=True)
class Part:
    """One pipeline component: `class_name` loads it from `root` (and `subfolder`, None for the root itself)."""

    name: str
    root: Path
    subfolder: str | None
    class_name: str

    @property
    def folder(self) -> Path:
        return self.root / self.subfolder if self.subfolder else self.root


@dataclass(frozen=True)
class EchoLayout:
    model_dir: Path
    index: str | None  # the index file the model folder holds; None for the official converter's output
    parts: dict[str, Part]

    @property
    def kind(self) -> str:
        return self.index or "official converter output (no index)"


def find_layout(model_dir: Path | None, base_model_dir: Path | None = None) -> EchoLayout:
    """Every part's folder and class; GeneratorError naming the folder and the fix when one cannot be used."""
    folder = _existing_folder(model_dir, "Model folder", "ECHO_MODEL_DIR / --model-dir")
    base = None if base_model_dir is None else _existing_folder(base_model_dir, "Base folder", BASE_SETTING)
    index_name, index = _read_index(folder)
    present = [name for name in ECHO_PARTS if _holds_weights(folder / name)]
    if index is None and not present:
        raise GeneratorError(
            f"{folder} is not a JoyAI-Echo folder: no {' or '.join(INDEX_FILES)} and none of "
            f"{', '.join(name + '/' for name in ECHO_PARTS)}. {LAYOUT_HINT}"
        )
    missing = [name for name in ECHO_PARTS if name not in present]
    if missing:
        raise GeneratorError(
            f"{folder} is incomplete: missing or empty component folder(s) {', '.join(missing)} (each needs "
            "config.json and *.safetensors weights). Re-run the converter into an empty folder, or copy the missing "
            f"folder(s) from its output. {LAYOUT_HINT}"
        )
    parts = {name: _echo_part(folder, name, index_name, index) for name in ECHO_PARTS}
    parts |= _gemma_parts(folder, base, index_name, index)
    return EchoLayout(model_dir=folder, index=index_name, parts={name: parts[name] for name in PARTS})


def _existing_folder(path: Path | None, what: str, setting: str) -> Path:
    if path is None:
        raise GeneratorError(
            "The echo backend needs local JoyAI-Echo weights: set ECHO_MODEL_DIR (or --model-dir) to the converted "
            f"folder, or use --backend preview. {LAYOUT_HINT}"
        )
    folder = Path(path).expanduser().resolve()
    if not folder.exists():
        raise GeneratorError(f"{what} {folder} does not exist. Check {setting}.")
    if not folder.is_dir():
        raise GeneratorError(f"{what} {folder} is a file, not a folder. Check {setting}.")
    return folder


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GeneratorError(f"Cannot read {path}: {error}. Restore it from the converter's output.") from error
    if not isinstance(data, dict):
        raise GeneratorError(f"{path} must hold a JSON object. Restore it from the converter's output.")
    return data


def _read_index(folder: Path) -> tuple[str | None, dict | None]:
    for name in INDEX_FILES:
        if (folder / name).is_file():
            return name, _read_json(folder / name)
    return None, None


def _holds_weights(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any(
        path.name.endswith(WEIGHT_SUFFIXES) for path in folder.iterdir() if path.is_file()
    )


def _echo_part(folder: Path, name: str, index_name: str | None, index: dict | None) -> Part:
    """The part's class from its config.json, which the index (when there is one) must name the same way."""
    config_path = folder / name / "config.json"
    class_name = _read_json(config_path).get("_class_name")
    allowed = ECHO_CLASSES[name]
    if class_name not in allowed:
        raise GeneratorError(
            f"{config_path} describes {class_name}, but Echo's {name} is {' or '.join(allowed)}. Copy the {name}/ "
            "folder of the converter's output there."
        )
    if index is not None and name in index:
        library, indexed = _index_class(index[name], folder / str(index_name), name)
        if indexed != class_name:
            raise GeneratorError(
                f"{folder / str(index_name)} names {name} as {indexed}, but {config_path} holds {class_name}, so its "
                f'weights would not load. Set that entry to ["{allowed[class_name]}", "{class_name}"].'
            )
        if library != allowed[class_name]:
            raise GeneratorError(
                f'{folder / str(index_name)} names {name} as ["{library}", "{indexed}"], which diffusers cannot '
                f'import. Set that entry to ["{allowed[class_name]}", "{class_name}"].'
            )
    return Part(name, folder, name, class_name)


def _index_class(entry: object, index_path: Path, name: str) -> tuple[object, object]:
    """(library, class) of an index entry: [library, class] (model_index.json) or [library, class, spec] (modular,
    where diffusers' converter writes [null, null, spec] and the spec's type_hint holds the pair)."""
    if isinstance(entry, list) and len(entry) == 3 and entry[0] is None and isinstance(entry[2], dict):
        entry = entry[2].get("type_hint")
    if not isinstance(entry, list) or len(entry) not in (2, 3):
        raise GeneratorError(f"{index_path}: the {name} entry is not [library, class]. Restore the file.")
    return entry[0], entry[1]


def _gemma_parts(folder: Path, base: Path | None, index_name: str | None, index: dict | None) -> dict[str, Part]:
    """Text encoder and tokenizer: from the base folder when set, else the model folder, else the index's folder."""
    if base is not None:
        subfolders = {name: None if _is_gemma(base) else name for name in GEMMA_PARTS}
        parts = {name: Part(name, base, subfolders[name], GEMMA_CLASSES[name]) for name in GEMMA_PARTS}
        unusable = [name for name, part in parts.items() if not _usable(part)]
        if unusable:
            names = " or ".join(unusable)
            raise GeneratorError(f"Base folder {base} ({BASE_SETTING}) holds no Gemma 3 {names}. {BASE_HINT}")
        return parts
    parts, missing, references = {}, [], []
    for name in GEMMA_PARTS:
        part = Part(name, folder, name, GEMMA_CLASSES[name])
        if not _usable(part) and index is not None:
            part, reference = _indexed_gemma(index.get(name), name)
            references += [reference] if reference else []
        if part is None or not _usable(part):
            missing.append(name)
            continue
        parts[name] = part
    if missing:
        detail = (
            f"; its {index_name} takes them from {', '.join(dict.fromkeys(references))} (local folders only: nothing "
            "is downloaded)"
            if references
            else " (the official converter writes only transformer, connectors, vae, audio_vae and vocoder)"
        )
        raise GeneratorError(f"{folder} has no Gemma 3 {' or '.join(missing)}{detail}. {BASE_HINT}")
    return parts


def _indexed_gemma(entry: object, name: str) -> tuple[Part | None, str | None]:
    """The local folder a modular index entry names for a Gemma part (None if it names none), and its reference."""
    spec = entry[2] if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], dict) else {}
    reference = spec.get("pretrained_model_name_or_path")
    if not reference:
        return None, None
    root = Path(str(reference)).expanduser()
    if not root.is_dir():
        return None, repr(str(reference))
    return Part(name, root.resolve(), spec.get("subfolder") or None, GEMMA_CLASSES[name]), repr(str(reference))


def _is_gemma(folder: Path) -> bool:
    return (folder / "config.json").is_file() and _read_json(folder / "config.json").get("model_type") == "gemma3"


def _usable(part: Part) -> bool:
    """The part's folder holds a tokenizer, or a Gemma 3 text encoder (config and weights)."""
    if not part.folder.is_dir():
        return False
    if part.name == "tokenizer":
        return any((part.folder / name).is_file() for name in TOKENIZER_FILES)
    return _holds_weights(part.folder) and _is_gemma(part.folder)
