"""A tiny, randomly initialised JoyAI-Echo pipeline for CPU tests (no weights, no network).

Component sizes follow diffusers' LTX-2 test fixtures (`tests/pipelines/ltx2/testing_utils.py`), except:
- the text encoder is a tiny `Gemma3ForConditionalGeneration` built from a config, with a word-level tokenizer
  (the fixtures download `hf-internal-testing/tiny-gemma3`);
- the video VAE has three spatio-temporal levels: 8x in time like the real one, 8x in space (16 tokens per
  32x32 frame);
- the audio VAE has three levels so that, like the real one, it compresses mel time and bins by 4 (the
  fixture's single level cannot encode memory audio);
- the vocoder is Echo 1.5's `LTX2VocoderWithBWE`: a stage that upsamples by 160 (one mel hop becomes one hop of
  16 kHz samples) and a 3x bandwidth extension to 48 kHz, with leaky-ReLU activations and no anti-aliasing (the
  real snake activations cost about a second per tiny shot on a CPU); `bwe=False` gives the plain 16 kHz
  `LTX2Vocoder`.

The pipeline uses the project's blocks (`echo_director_blocks`). `save_tiny_echo(folder)` writes what
`save_pretrained` writes; `save_tiny_layout(root, layout)` writes each folder layout users have (LAYOUTS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from diffusers import AutoencoderKLLTX2Audio, AutoencoderKLLTX2Video, LTX2VideoTransformer3DModel
from diffusers.modular_pipelines import EchoModularPipeline
from diffusers.pipelines.ltx2 import LTX2TextConnectors, LTX2Vocoder, LTX2VocoderWithBWE
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import Gemma3Config, Gemma3ForConditionalGeneration, PreTrainedTokenizerFast

from generator.echo.layouts import ECHO_PARTS
from generator.echo.memory_blocks import echo_director_blocks
from generator.memory import CLIP_LENGTH
from generator.types import MemorySlot, MemorySource, ShotRequest

TEXT_HIDDEN_SIZE = 32
TEXT_LAYERS = 2
TINY_WORDS = ["a", "the", "and", "of", "in", "at", "with", "says", "speed", "man", "woman", "room", "music"]


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    special = ["<pad>", "<eos>", "<bos>", "<unk>"]
    vocab = {token: index for index, token in enumerate(special + TINY_WORDS)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", eos_token="<eos>", bos_token="<bos>", unk_token="<unk>"
    )


def tiny_text_encoder(vocab_size: int) -> Gemma3ForConditionalGeneration:
    config = Gemma3Config(
        text_config={
            "vocab_size": vocab_size,
            "hidden_size": TEXT_HIDDEN_SIZE,
            "intermediate_size": 64,
            "num_hidden_layers": TEXT_LAYERS,
            "num_attention_heads": 2,
            "num_key_value_heads": 1,
            "head_dim": 16,
            "max_position_embeddings": 256,
            "sliding_window": 16,
        },
        vision_config={
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": 16,
            "patch_size": 8,
        },
        mm_tokens_per_image=4,
        image_token_index=vocab_size - 1,
        boi_token_index=vocab_size - 2,
        eoi_token_index=vocab_size - 3,
    )
    return Gemma3ForConditionalGeneration(config)


def tiny_vocoder(in_channels: int, bwe: bool = True) -> LTX2Vocoder | LTX2VocoderWithBWE:
    """Echo 1.5's vocoder shape at tiny size (48 kHz), or with `bwe=False` its 16 kHz first stage alone."""
    stage = {
        "in_channels": in_channels,
        "hidden_channels": 16,
        "out_channels": 2,
        "upsample_kernel_sizes": [16, 11, 8],  # kernel = factor + even padding: exactly factor x samples out
        "upsample_factors": [8, 5, 4],
        "resnet_kernel_sizes": [3],
        "resnet_dilations": [[1]],
        "leaky_relu_negative_slope": 0.1,
    }
    if not bwe:
        return LTX2Vocoder(**stage, output_sampling_rate=16000)
    vocoder = LTX2VocoderWithBWE(
        **stage,
        act_fn="leaky_relu",
        antialias=False,
        final_act_fn="tanh",
        final_bias=True,
        bwe_in_channels=in_channels,
        bwe_hidden_channels=16,
        bwe_out_channels=2,
        bwe_upsample_kernel_sizes=[12, 11, 16],
        bwe_upsample_factors=[6, 5, 8],  # 240 = 48 kHz / (16 kHz / hop 80)
        bwe_resnet_kernel_sizes=[3],
        bwe_resnet_dilations=[[1]],
        bwe_act_fn="leaky_relu",
        bwe_antialias=False,
        num_mel_channels=in_channels // 2,
        input_sampling_rate=16000,
        output_sampling_rate=48000,
    )
    # The release ships the extension's STFT basis and mel filters as weights; random ones stand in for them here.
    for buffer in (vocoder.mel_stft.mel_basis, vocoder.mel_stft.stft_fn.forward_basis):
        buffer.uniform_(0.0, 0.05)
    return vocoder


def tiny_echo_components(seed: int = 0, bwe: bool = True) -> dict[str, torch.nn.Module | PreTrainedTokenizerFast]:
    tokenizer = tiny_tokenizer()
    torch.manual_seed(seed)
    text_encoder = tiny_text_encoder(len(tokenizer))
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4,
        out_channels=4,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=2,
        attention_head_dim=8,
        cross_attention_dim=16,
        audio_in_channels=4,
        audio_out_channels=4,
        audio_num_attention_heads=2,
        audio_attention_head_dim=4,
        audio_cross_attention_dim=8,
        num_layers=2,
        qk_norm="rms_norm_across_heads",
        caption_channels=TEXT_HIDDEN_SIZE,
        rope_double_precision=False,
        rope_type="split",
    )
    connectors = LTX2TextConnectors(
        caption_channels=TEXT_HIDDEN_SIZE,
        text_proj_in_factor=TEXT_LAYERS + 1,
        video_connector_num_attention_heads=4,
        video_connector_attention_head_dim=8,
        video_connector_num_layers=1,
        video_connector_num_learnable_registers=None,
        audio_connector_num_attention_heads=4,
        audio_connector_attention_head_dim=8,
        audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None,
        connector_rope_base_seq_len=32,
        rope_theta=10000.0,
        rope_double_precision=False,
        causal_temporal_positioning=False,
        rope_type="split",
    )
    levels = 3  # three 2x spatio-temporal levels: the real VAE's 8x temporal compression, few tokens per frame
    vae = AutoencoderKLLTX2Video(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        block_out_channels=(8,) * levels,
        decoder_block_out_channels=(8,) * levels,
        layers_per_block=(1,) * levels,
        decoder_layers_per_block=(1,) * (levels + 1),
        spatio_temporal_scaling=(True,) * levels,
        decoder_spatio_temporal_scaling=(True,) * levels,
        decoder_inject_noise=(False,) * (levels + 1),
        downsample_type=("spatiotemporal",) * levels,
        upsample_residual=(False,) * levels,
        upsample_factor=(1,) * levels,
        timestep_conditioning=False,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4,
        output_channels=2,
        ch_mult=(1, 1, 1),
        num_res_blocks=1,
        attn_resolutions=None,
        in_channels=2,
        resolution=32,
        latent_channels=2,
        norm_type="pixel",
        causality_axis="height",
        dropout=0.0,
        mid_block_add_attention=False,
        sample_rate=16000,
        mel_hop_length=160,
        is_causal=True,
        mel_bins=8,
    )
    vocoder = tiny_vocoder(audio_vae.config.output_channels * audio_vae.config.mel_bins, bwe)
    modules = {"text_encoder": text_encoder, "connectors": connectors, "transformer": transformer, "vae": vae}
    modules |= {"audio_vae": audio_vae, "vocoder": vocoder}
    return {"tokenizer": tokenizer, **{name: module.eval() for name, module in modules.items()}}


def tiny_echo_pipeline(seed: int = 0, bwe: bool = True) -> EchoModularPipeline:
    pipeline = echo_director_blocks().init_pipeline()
    pipeline.update_components(**tiny_echo_components(seed, bwe))
    return pipeline


def save_tiny_echo(folder: Path, seed: int = 0, bwe: bool = True) -> Path:
    """Write a tiny pipeline folder as `save_pretrained` does (modular_model_index.json + one subfolder per part)."""
    tiny_echo_pipeline(seed, bwe).save_pretrained(str(folder), overwrite_modular_index=True)
    return folder


LAYOUTS = ("save_pretrained", "diffusers_converter", "official_converter", "model_index")


@dataclass(frozen=True)
class TinyFolders:
    """What a user sets: ECHO_MODEL_DIR, and ECHO_BASE_MODEL_DIR where the layout needs one."""

    model_dir: Path
    base_model_dir: Path | None = None


def ltx2_model_index(**overrides: list) -> dict:
    """A model_index.json in the shape of an LTX-2.3 Diffusers folder, whose parts a merged Echo folder holds."""
    index = {
        "_class_name": "LTX2Pipeline",
        "_diffusers_version": "0.42.1",
        "audio_vae": ["diffusers", "AutoencoderKLLTX2Audio"],
        "connectors": ["ltx2", "LTX2TextConnectors"],
        "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
        "text_encoder": ["transformers", "Gemma3ForConditionalGeneration"],
        "tokenizer": ["transformers", "GemmaTokenizerFast"],
        "transformer": ["diffusers", "LTX2VideoTransformer3DModel"],
        "vae": ["diffusers", "AutoencoderKLLTX2Video"],
        "vocoder": ["ltx2", "LTX2VocoderWithBWE"],
    }
    return index | overrides


def converter_modular_index(echo_dir: Path, gemma: str) -> dict:
    """The modular_model_index.json diffusers' converter writes: Echo's parts in its output folder, the Gemma text
    encoder and tokenizer at the root of its `--base-model` (`gemma`)."""

    def entry(library: str, class_name: str, repo: str, subfolder: str | None) -> list:
        spec = {"type_hint": [library, class_name], "pretrained_model_name_or_path": repo, "subfolder": subfolder}
        return [None, None, spec | {"variant": None, "revision": None}]

    classes = {name: value for name, value in ltx2_model_index().items() if name in ECHO_PARTS}
    return {
        "_class_name": "EchoModularPipeline",
        "_diffusers_version": "0.42.1",
        "_blocks_class_name": "EchoBlocks",
        "text_encoder": entry("transformers", "Gemma3ForConditionalGeneration", gemma, None),
        "tokenizer": entry("transformers", "GemmaTokenizerFast", gemma, None),
        **{name: entry(library, cls, str(echo_dir), name) for name, (library, cls) in classes.items()},
    }


def save_tiny_layout(root: Path, layout: str, seed: int = 0) -> TinyFolders:
    """The tiny pipeline of `seed` saved in one of LAYOUTS under `root`; the same weights in every layout."""
    if layout == "save_pretrained":
        return TinyFolders(save_tiny_echo(root / "model", seed))
    components = tiny_echo_components(seed)
    model = root / "model"
    for name in ECHO_PARTS:
        components[name].save_pretrained(model / name)
    if layout == "model_index":
        for name in ("text_encoder", "tokenizer"):
            components[name].save_pretrained(model / name)
        _write_json(model / "model_index.json", ltx2_model_index())
        return TinyFolders(model)
    _write_json(model / "conversion_report.json", {"schema": "tiny", "vocoder_output_sample_rate": 48000})
    if layout == "diffusers_converter":
        gemma = root / "gemma-3"
        components["text_encoder"].save_pretrained(gemma)
        components["tokenizer"].save_pretrained(gemma)
        _write_json(model / "modular_model_index.json", converter_modular_index(model, str(gemma)))
        return TinyFolders(model)
    if layout == "official_converter":
        base = root / "LTX-2.3-Diffusers"
        for name in ("text_encoder", "tokenizer"):
            components[name].save_pretrained(base / name)
        tiny_vocoder(components["vocoder"].config.in_channels, bwe=False).save_pretrained(base / "vocoder")  # decoy
        _write_json(base / "model_index.json", ltx2_model_index())
        return TinyFolders(model, base)
    raise ValueError(f"unknown layout {layout!r}; one of {LAYOUTS}")


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))


TWO_STEP_SIGMAS = (1.0, 0.5, 0.0)
TINY_SIZE = 32
TINY_FRAMES = 25
TINY_SAMPLE_RATE = 48000  # the tiny BWE vocoder's true output rate
TOKENS_PER_FRAME = (TINY_SIZE // 8) ** 2  # video tokens per latent frame / per memory image
TARGET_VIDEO_TOKENS = (1 + (TINY_FRAMES - 1) // 8) * TOKENS_PER_FRAME
TARGET_AUDIO_TOKENS = TINY_FRAMES  # 25 audio latents per second
MEMORY_AUDIO_S = 2.0


def tiny_request(**overrides: object) -> ShotRequest:
    fields = {"prompt": "a man says in the room", "num_frames": TINY_FRAMES, "width": TINY_SIZE, "height": TINY_SIZE}
    return ShotRequest(**{**fields, **overrides})


def tiny_slot(
    label: str, seed: int, with_audio: bool = True, audio_s: float = MEMORY_AUDIO_S, with_clip: bool = False
) -> MemorySlot:
    """A memory slot with a random key frame (the last of a random 9-frame clip when `with_clip`, as a KOK slot of
    a take has) and, optionally, random speech-like audio at 16 kHz."""
    rng = np.random.default_rng(seed)
    audio = (0.2 * rng.standard_normal(round(audio_s * 16000))).astype(np.float32) if with_audio else None
    clip = rng.integers(0, 256, (CLIP_LENGTH, TINY_SIZE, TINY_SIZE, 3), dtype=np.uint8)
    return MemorySlot(
        label=label,
        source=MemorySource(kind="take", take_id=seed),
        key_frame=clip[-1].copy() if with_clip else clip[0].copy(),
        clip=clip if with_clip else None,
        audio=audio,
        sample_rate=16000 if with_audio else None,
    )


def memory_audio_latent_count(seconds: float) -> int:
    """Audio latents of one memory clip: 1 + samples // hop mel frames, then the causal VAE's 4x compression."""
    mel_frames = 1 + round(seconds * 16000) // 160
    return (mel_frames - 1) // 4 + 1
