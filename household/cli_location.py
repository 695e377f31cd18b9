"""Commands of the household CLI (registered on household.cli.app)."""
