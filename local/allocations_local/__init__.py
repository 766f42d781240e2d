"""The local stack: embedded PostgreSQL, Redis and SQS endpoint, the Workload stub and demo data."""
