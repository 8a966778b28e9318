"""The generic survey engine: answer parsing and the response state machine, driven by a consultation's questions."""
