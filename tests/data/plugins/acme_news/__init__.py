"""A team's own expectations, kept beside its suites (a test plugin for toolkit)."""
