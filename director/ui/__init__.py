"""The creator's web app (Gradio Blocks): layout, event handlers and the views they show."""
