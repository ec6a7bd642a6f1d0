"""A plugin module that forgot EXPECTATIONS."""

CHECKS = []
