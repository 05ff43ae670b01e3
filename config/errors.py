"""The project's error hierarchy. The library raises these; the CLI prints them as one line.

Every message says what went wrong, naming the file or field, and what to do about it.
"""


class PolicyQAError(Exception):
    """Base of every error policyqa raises on purpose."""


class ConfigError(PolicyQAError):
    """A settings file or variable is wrong."""


class IngestError(PolicyQAError):
    """A source file cannot be read or parsed."""


class IndexMissingError(PolicyQAError):
    """No index has been built yet."""


class IndexBusyError(PolicyQAError):
    """Another process is building the same index."""


class IndexMismatchError(PolicyQAError):
    """The index on disk was built with other settings than the current ones."""


class QueryError(PolicyQAError):
    """A question or search query is unusable (empty, say)."""


class BackendError(PolicyQAError):
    """An embedder, reranker or LLM backend failed or is unknown."""


class EvalError(PolicyQAError):
    """An evaluation dataset is malformed or cannot be matched to the corpus."""
