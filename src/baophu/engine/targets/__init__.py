"""Targets: allocation down a hierarchy, progress against targets, campaigns."""
