"""The allocation details the Workload stub serves in the client tests, one of each type."""

COMMON = {"staffCode": "C01T04A", "teamCode": "C01T04", "createdDate": "2025-03-04T14:05:09.118Z", "createdBy": "x"}
BODIES = {
    "person": {"id": "p-1", "crn": "A987654", "allocationReason": "OFFICER_LEFT", **COMMON},
    "event": {"id": "e-1", "eventNumber": 3, "spoStaffCode": "C01T04S", "sensitiveOversightNotes": None, **COMMON},
    "requirements": {"id": "r-1", "eventNumber": 3, "requirementId": 4412089, **COMMON},
    "licence-conditions": {"id": "l-1", "eventNumber": 2, "licenceConditionId": 771, **COMMON},
}
