"""The Bäckby demo: goals, themes, partners, a survey with answers, a forum evening; imported by nothing."""
