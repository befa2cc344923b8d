"""Record linkage of school rosters and household lists to the register (exact ID, then Splink)."""
