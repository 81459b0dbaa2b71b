"""Views of the agent workspace (`/agent/`)."""
