"""Writes HMPPS Workload case allocations into Delius. The domain: no Celery in here."""
