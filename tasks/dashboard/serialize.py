"""The JSON helpers under their former name; they live in ``tasks.operations``, shared with the CLI."""

from tasks.operations import to_json, when

__all__ = ["to_json", "when"]
