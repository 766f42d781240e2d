"""Celery entry points: the app, the SQS ingest step, the allocation tasks and the Flower extension."""

from tasks.app import app

__all__ = ["app"]
