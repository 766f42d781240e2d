"""Settings that make a real worker's retries, dead-lettering and reconciler observable within seconds."""

FAST_LIMITS = {
    "RETRY_FIRST_DELAY": "0.2",
    "RETRY_MAX_DELAY": "0.5",
    "RETRY_MAX_RETRIES": "2",
    "TASK_TIME_LIMIT": "10",
    "RECONCILE_AFTER": "25",
    "RECONCILE_INTERVAL": "1",
    "DB_STATEMENT_TIMEOUT": "5",
    "DB_LOCK_TIMEOUT": "3",
}
