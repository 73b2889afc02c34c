"""The audit log: who did what to which object, and when; below the accounts, so it names users by id."""
