"""Row checks: each row is accepted or gets a column and a reason for the quarantine."""
