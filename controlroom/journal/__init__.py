"""The show journal: append-only events, batched metric samples, migrations, recovery."""
from controlroom.journal.migrate import JournalError, JournalTooNew
from controlroom.journal.store import Event, Journal, JournalOpenError, JournalWriteError, Sample, Session

__all__ = ["Event", "Journal", "JournalError", "JournalOpenError", "JournalTooNew", "JournalWriteError", "Sample", "Session"]
