"""Potential lists: every person to approach, why, what they would pay and who owns them."""
