"""Reports, the live monitor, the high-load view and exports (DESIGN.md section 6): what
supervisors read of the cases, people and quotes, over time and right now."""
