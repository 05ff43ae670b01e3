"""The commitments ledger: targets, tasks with responsible units, and proposal-reply items.

Rows are extracted by rules over ingested documents and chunks (no model needed); each row
keeps the exact source span it came from.
"""

from index.commitments.ledger import build_ledger, filter_ledger, load_ledger, save_ledger
from index.commitments.types import KINDS, Commitment

__all__ = ["KINDS", "Commitment", "build_ledger", "filter_ledger", "load_ledger", "save_ledger"]
