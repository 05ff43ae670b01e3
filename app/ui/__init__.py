"""The Gradio chat UI: chat, documents, commitments and admin tabs over one assistant."""
