"""Steps shared by the person, event, requirement and licence-condition allocations (spec §3.2-§3.8, §3.12)."""
