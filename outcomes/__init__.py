"""Outcomes: indicators, daily reports and their versions, totals, completeness, reminders,
the dashboard and its charts, exports of figures."""
