"""The service's own state: every event's outcome, and the dead letters operators re-enqueue or discard."""
