"""The only code that fetches and writes: the collector and what it runs.

- refresh.py: one source's fetch, its records turned into observations, stored;
- scheduler.py: when each source is fetched, and a circuit for those that keep failing;
- collector.py: `tandem collect`, and the one-machine dashboard's collector process.
"""
