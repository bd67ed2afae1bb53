"""Pages for analysts."""
