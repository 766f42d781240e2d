"""The pipeline benchmark (``python -m benchmarks.pipeline``) and its parts."""
