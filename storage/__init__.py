"""The store and its rules; knows nothing of Slack."""
