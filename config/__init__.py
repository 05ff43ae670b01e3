"""Typed settings for policyqa: one object, read from TOML files and POLICYQA_* variables."""

from config.errors import ConfigError, PolicyQAError
from config.settings import Settings, load_settings

__all__ = ["ConfigError", "PolicyQAError", "Settings", "load_settings"]
