"""Identity: users, roles, states, login sessions and API tokens."""
