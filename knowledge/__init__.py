"""The domain: what partnerships know and promise. Never imports Slack."""
