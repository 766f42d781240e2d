"""The Delius database this service writes: models, reference data, shared steps and one module per use case."""
