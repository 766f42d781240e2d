"""The API we read: HMPPS Workload allocation details, behind HMPPS Auth client credentials."""
