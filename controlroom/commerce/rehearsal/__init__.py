"""Rehearsal 预案演练: tonight's price plan and offers through the real console on a simulated clock.

`python main.py rehearse SCRIPT.jsonl [--show DIR] [--seed N] [--pin PIN] [--json]` (cli.py). The
script format is read by script.py, the run is driven by driver.py on the clock of simclock.py.
"""
