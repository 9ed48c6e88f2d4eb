"""Pure computations from plain records to observations: no I/O, no clock, no Textual."""
