"""The operators' dashboard: dead letters, outcomes and the SQS DLQ, mounted inside Flower (same port and auth)."""

from tasks.dashboard.mount import mount
from tasks.operations import Operations

__all__ = ["Operations", "mount"]
