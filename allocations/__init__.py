"""Writes HMPPS Workload case allocations into Delius. The domain: no Celery in here.

A reference such as ``spec §3.9`` in this code, the tasks and the tests is to that section of the behaviour
specification, ``docs/delius-allocations.md``: what is read and written, with Delius's own tables and columns.
"""
