"""Pure domain rules. Nothing in this package may import Django: every rule takes `now` explicitly
so it can be tested by tables and property-based tests without a database or a clock."""
