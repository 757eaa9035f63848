"""Outages: many people reporting one problem at once, run as one incident by one agent.

The rooms: `messages` (outbox rows and their templates), `links` (which active outage a new
report belongs to, and linking it: called by ticket filing), `proposals` (noticing that
several people report one problem, and the agents' answer), `lifecycle` (declare, update,
resolve, "my problem is different", "me too"), `views` (read models). This package imports
nothing eagerly, so ticket filing can use `links` and `proposals` without a cycle."""
