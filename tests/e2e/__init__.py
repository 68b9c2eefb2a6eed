"""End-to-end tests: real server processes over real HTTP."""
