"""Control Room core: everything the show does, without Qt.

Arrows point one way: ui -> controlroom <- plugins. Nothing here may import PySide6 or ui.
"""

__version__ = "0.1.0"
