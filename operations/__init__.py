"""Operations: joint periods, participating states and operations."""
