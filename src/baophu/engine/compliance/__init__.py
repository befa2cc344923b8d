"""Employer compliance: arrears, late-payment interest, evasion scores and legal lists."""
