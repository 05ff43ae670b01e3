"""Retrieval, answering, citations, LLM backends, the Gradio app and the CLI."""
