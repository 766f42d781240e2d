"""Allocation detail bodies as Workload serves them, one of each type, for the schema tests."""

COMMON = {
    "id": "9a1e0c55-2f4b-4d0e-8b61-77c3a2d9e001",
    "staffCode": "C01T04A",
    "teamCode": "C01T04",
    "createdDate": "2025-03-04T14:05:09.118Z",
}


PERSON = {**COMMON, "crn": "A987654"}
EVENT = {**COMMON, "eventNumber": 3, "spoStaffCode": "C01T04S", "spoOversightNotes": "Reviewed"}
REQUIREMENT = {**COMMON, "eventNumber": 3, "requirementId": 4412089}
LICENCE_CONDITION = {**COMMON, "eventNumber": 2, "licenceConditionId": 771}
ALL_TYPES = [PERSON, EVENT, REQUIREMENT, LICENCE_CONDITION]
