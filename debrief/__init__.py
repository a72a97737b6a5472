"""Debrief packs: objectives, the questionnaire, the improvement plan and the pack builder."""
