"""What the records say, computed once by the collector for every screen.

- insights.py: does employee health lead customer health (linkage), early warnings,
  segments side by side, a pair's drill-down;
- balance.py: each team's employee health against its customer health;
- internal.py: each function's service, the people it serves, their customers;
- stored.py: all of it per granularity, stored as JSON for screens to read.

Pure functions over stored observations; the statistics they stand on are in
tui/metrics/ (linkage, evidence, privacy).
"""
