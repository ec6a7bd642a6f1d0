"""Commands of the toolkit CLI beyond check, one module each."""
