"""Staff accounts, partners and roles: signing in, who owns which row, and who may change or read it."""
