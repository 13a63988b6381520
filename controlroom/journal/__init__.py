"""The show journal: append-only events, batched metric samples, migrations, recovery."""
from controlroom.journal.store import Event, Journal, Sample, Session
from controlroom.journal.migrate import JournalTooNew

__all__ = ["Event", "Journal", "JournalTooNew", "Sample", "Session"]
