// Kefu's small shared script (no framework): keep it tiny; page-specific code lives in its own file.
