"""Follow-through: step statuses, escalation when a step is refused or ignored, deadline watch."""
