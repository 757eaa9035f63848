"""Time-driven work: the scheduler and its jobs."""
