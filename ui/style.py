"""The dark studio style sheet, built from the tally colours in ui.theme."""
from __future__ import annotations

from ui import theme as t


def apply(app) -> None:
    """The studio look on the application: Fusion, the dark style sheet and a CJK-capable font (the same in the app
    and in the tests, so sizes measured in tests are the operator's)."""
    from PySide6.QtGui import QFont, QFontDatabase
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    families = set(QFontDatabase.families())
    for fam in ("Noto Sans CJK SC", "Noto Sans", "DejaVu Sans"):
        if fam in families:
            app.setFont(QFont(fam, 10))
            break


def stylesheet() -> str:
    return f"""
QWidget {{ background: {t.BG}; color: {t.TEXT}; font-family: {t.SANS}; font-size: 13px; }}
QMainWindow::separator {{ background: {t.BORDER}; width: 3px; height: 3px; }}
QDockWidget {{ titlebar-close-icon: none; }}
QDockWidget::title {{ background: {t.PANEL_ALT}; color: {t.TEXT_DIM}; padding: 4px 8px; font-weight: 600;
                      text-transform: uppercase; letter-spacing: 1px; }}
QFrame#panel, QTableView, QListView, QTreeView, QTextEdit, QPlainTextEdit {{
    background: {t.PANEL}; border: 1px solid {t.BORDER}; border-radius: 4px; }}
QHeaderView::section {{ background: {t.PANEL_ALT}; color: {t.TEXT_DIM}; border: none;
                        border-bottom: 1px solid {t.BORDER}; padding: 4px 6px; font-weight: 600; }}
QTableView {{ gridline-color: {t.BORDER}; selection-background-color: #2b3a55; selection-color: {t.TEXT};
              alternate-background-color: {t.PANEL_ALT}; }}
QPushButton {{ background: {t.PANEL_ALT}; border: 1px solid {t.BORDER}; border-radius: 4px; padding: 6px 12px; }}
QPushButton:hover {{ border-color: {t.ACCENT}; }}
QPushButton:pressed {{ background: #2b3a55; }}
QPushButton:disabled {{ color: {t.IDLE}; border-style: dashed; }}
QPushButton[role="danger"] {{ background: #3a1517; border-color: {t.ON_AIR}; color: #ffd7d8; font-weight: 700; }}
QPushButton[role="primary"] {{ background: #16324f; border-color: {t.ACCENT}; font-weight: 700; }}
QCheckBox::indicator {{ width: 14px; height: 14px; border: 2px solid {t.TEXT_DIM}; border-radius: 3px;
    background: {t.PANEL_ALT}; }}
QCheckBox::indicator:checked {{ background: {t.ACCENT}; border-color: {t.TEXT}; }}
QCheckBox::indicator:disabled {{ border-color: {t.IDLE}; border-style: dashed; }}
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox, QTimeEdit {{ background: {t.PANEL_ALT}; border: 1px solid {t.BORDER};
    border-radius: 4px; padding: 4px 6px; selection-background-color: #2b3a55; }}
QLineEdit:focus, QSpinBox:focus, QComboBox:focus {{ border-color: {t.ACCENT}; }}
QMenuBar {{ background: {t.PANEL}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: #2b3a55; }}
QMenu {{ background: {t.PANEL}; border: 1px solid {t.BORDER}; }}
QStatusBar {{ background: {t.PANEL}; color: {t.TEXT_DIM}; }}
QToolTip {{ background: {t.PANEL_ALT}; color: {t.TEXT}; border: 1px solid {t.BORDER}; }}
QProgressBar {{ background: {t.PANEL_ALT}; border: 1px solid {t.BORDER}; border-radius: 3px; text-align: center; }}
QProgressBar::chunk {{ background: {t.ACCENT}; }}
QTabBar::tab {{ background: {t.PANEL_ALT}; padding: 6px 12px; border: 1px solid {t.BORDER}; }}
QTabBar::tab:selected {{ background: {t.PANEL}; border-bottom-color: {t.ACCENT}; }}
QScrollBar:vertical {{ background: {t.PANEL}; width: 10px; }}
QScrollBar::handle:vertical {{ background: {t.BORDER}; border-radius: 4px; min-height: 24px; }}
QLabel[role="dim"] {{ color: {t.TEXT_DIM}; }}
QLabel[role="mono"] {{ font-family: {t.MONO}; }}
"""
