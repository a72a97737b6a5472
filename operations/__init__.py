"""Operations: joint periods, participating states, operations and outcome reporting."""
