"""Pure Block Kit builders, one module per feature."""
