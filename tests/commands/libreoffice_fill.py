"""Fill nbesok's blank form in LibreOffice, as a user does, and save it as .docx.

Run by tests/test_libreoffice_form.py with a Python that has LibreOffice's UNO bridge
(Debian's /usr/bin/python3 with python3-uno, or LibreOffice's bundled python):

    python3 libreoffice_fill.py SOFFICE FORM.docx FILLED.docx PLAN.json PROFILE_DIR

LibreOffice opens each content control of the form as an input field. The plan says
what to type where:

- ``fields``: {label or question: text}. The input field in the row with that label,
  or the first one after the question's heading, gets the text, lines separated by
  newlines, as typed into the field's dialog (Enter between the lines).
- ``after``: {question: [[text, look], …] per paragraph}. New paragraphs after that
  question's field, typed with the toolbar's Bold and Italic (look "b", "i") and
  lists (a paragraph whose first piece is ["•", ""] or ["1.", ""] is a list item, made
  with the toolbar's list buttons).

Everything is done through the dispatcher, the way the toolbar and the keyboard do it,
so that LibreOffice writes what it writes for a user.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

# The toolbar buttons for a bulleted and a numbered list.
_LISTS = {"•": "DefaultBullet", "1.": "DefaultNumbering"}


def _property(name: str, value: Any) -> Any:
    found = PropertyValue()
    found.Name = name
    found.Value = value
    return found


def _connect(soffice: str, profile: Path) -> tuple[Any, subprocess.Popen[bytes]]:
    pipe = f"nbesok{profile.name}"
    process = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return context, process
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.3)


def _paragraphs(text: Any) -> list[Any]:
    found = []
    enumeration = text.createEnumeration()
    while enumeration.hasMoreElements():
        found.append(enumeration.nextElement())
    return found


def _input_field(paragraph: Any) -> Any | None:
    portions = paragraph.createEnumeration()
    while portions.hasMoreElements():
        portion = portions.nextElement()
        if portion.TextPortionType == "TextField" and portion.TextField.supportsService(
            "com.sun.star.text.TextField.Input"
        ):
            return portion
    return None


def _fields(document: Any) -> dict[str, Any]:
    """Each input field of the form by the label of its row or its question."""
    found: dict[str, Any] = {}
    question = ""
    for paragraph in _paragraphs(document.Text):
        if paragraph.supportsService("com.sun.star.text.TextTable"):
            for name in paragraph.getCellNames():
                if not name.startswith("B"):
                    continue
                label = paragraph.getCellByName("A" + name[1:]).getString().rstrip(":").strip()
                for inner in _paragraphs(paragraph.getCellByName(name).Text):
                    portion = _input_field(inner)
                    if portion is not None:
                        found[label] = portion
            continue
        if paragraph.ParaStyleName.startswith("Heading"):
            question = paragraph.getString().strip()
            continue
        portion = _input_field(paragraph)
        if portion is not None and question and question not in found:
            found[question] = portion
    return found


def fill(soffice: str, form: Path, filled: Path, plan: dict[str, Any], profile: Path) -> None:
    context, process = _connect(soffice, profile)
    try:
        manager = context.ServiceManager
        desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(form.as_uri(), "_blank", 0, ())
        dispatcher = manager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
        frame = document.CurrentController.Frame

        def do(command: str, **arguments: Any) -> None:
            values = tuple(_property(name, value) for name, value in arguments.items())
            dispatcher.executeDispatch(frame, f".uno:{command}", "", 0, values)

        fields = _fields(document)
        missing = [name for name in (*plan["fields"], *plan["after"]) if name not in fields]
        if missing:
            raise SystemExit(f"inga fält för {missing}; fälten är {sorted(fields)}")
        for name, text in plan["fields"].items():
            # What the field's dialog writes when the user types the lines and clicks OK.
            fields[name].TextField.Content = text
        document.getTextFields().refresh()
        cursor = document.CurrentController.getViewCursor()
        for name, paragraphs in plan["after"].items():
            cursor.gotoRange(fields[name].getEnd(), False)
            cursor.gotoEndOfLine(False)
            in_list = ""
            for pieces in paragraphs:
                do("InsertPara")  # Enter: in a list, the next item
                marker = pieces[0][0] if pieces and pieces[0][0] in _LISTS else ""
                if marker != in_list:
                    if in_list:
                        do(_LISTS[in_list])  # the list's toolbar button again ends it
                    if marker:
                        do(_LISTS[marker])
                    in_list = marker
                if marker:
                    pieces = pieces[1:]
                for text, look in pieces:
                    if "b" in look:
                        do("Bold")
                    if "i" in look:
                        do("Italic")
                    do("InsertText", Text=text)
                    if "i" in look:
                        do("Italic")
                    if "b" in look:
                        do("Bold")
        document.storeToURL(filled.as_uri(), (_property("FilterName", "MS Word 2007 XML"),))
        document.close(True)
    finally:
        with contextlib.suppress(Exception):
            desktop.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    soffice, form, filled, plan, profile = sys.argv[1:6]
    fill(
        soffice,
        Path(form).resolve(),
        Path(filled).resolve(),
        json.loads(Path(plan).read_text("utf-8")),
        Path(profile).resolve(),
    )
