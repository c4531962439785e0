"""The echo backend: JoyAI-Echo in process through diffusers' modular Echo pipeline (local weights only)."""
