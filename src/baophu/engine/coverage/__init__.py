"""Coverage: BHYT, BHXH and BHTN coverage of every unit at month-ends and chosen dates."""
