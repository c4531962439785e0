"""The preview backend: an animatic renderer on the CPU (scenes, figures, camera, eSpeak speech, sound beds)."""
