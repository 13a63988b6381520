"""Run-of-show: the rundown model and its files, the runner (timers, offsets, cadence), the control API."""
