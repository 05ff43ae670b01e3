"""The application layer: the command line and the Gradio UI, above eval/ and the engine."""
