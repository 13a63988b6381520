"""The show journal: append-only events, batched metric samples, migrations, recovery."""
from controlroom.journal.migrate import JournalError, JournalTooNew
from controlroom.journal.store import Event, Journal, JournalWriteError, Sample, Session

__all__ = ["Event", "Journal", "JournalError", "JournalTooNew", "JournalWriteError", "Sample", "Session"]
