"""What every domain shares: settings, database, identity, audit, errors and the web shell."""
