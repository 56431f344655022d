"""Draw the process picture of source document 000 as ``bilder/idrott-och-service-processen.png``.

Seed 000, the 2017 tjänsteskrivelse about Idrott och service, has a process picture:
Insluss → Idrott och Service → Utsluss, each with its bullet points. Only its text
survived the extraction; this script draws it again, with the same words, as three
boxes and two arrows, so that the example archive has a real picture to show from the
2018 visit's summary. The PNG is committed; run the script only to change it
(it needs Liberation Sans, Debian's fonts-liberation2)::

    uv run python scripts/build_process_picture.py
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUTPUT = Path(__file__).resolve().parents[1] / "bilder" / "idrott-och-service-processen.png"
FONTS = Path("/usr/share/fonts/truetype/liberation2")
STEPS = (
    (
        "Insluss",
        (
            "JKT eller AF",
            "Deltagaren får en tydlig handlingsplan för sin utvecklingsplats på Idrott och Service",
        ),
    ),
    (
        "Idrott och Service",
        (
            "Hjälper deltagaren att nå mål enligt handlingsplan",
            "Handleder deltagaren i utvecklingen mot externt arbete eller utbildning",
        ),
    ),
    (
        "Utsluss",
        (
            "JKT eller AF",
            "Tar över eller samverkar i ärendet att få deltagaren ut i ett externt arbete, "
            "praktikplats eller utbildning.",
        ),
    ),
)
WIDTH, HEIGHT = 1500, 420
BOX, GAP, MARGIN = 400, 110, 25
FILL, LINE, TEXT = (222, 235, 247), (31, 78, 121), (0, 0, 0)


def main() -> None:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    heading = ImageFont.truetype(str(FONTS / "LiberationSans-Bold.ttf"), 34)
    body = ImageFont.truetype(str(FONTS / "LiberationSans-Regular.ttf"), 25)
    for number, (title, points) in enumerate(STEPS):
        left = MARGIN + number * (BOX + GAP)
        draw.rounded_rectangle(
            (left, MARGIN, left + BOX, HEIGHT - MARGIN), 24, fill=FILL, outline=LINE, width=4
        )
        draw.text((left + BOX // 2, MARGIN + 30), title, font=heading, fill=LINE, anchor="mt")
        y = MARGIN + 100
        for point in points:
            lines = textwrap.wrap(point, 27)
            draw.text((left + 24, y), "•", font=body, fill=TEXT)
            for line in lines:
                draw.text((left + 50, y), line, font=body, fill=TEXT)
                y += 34
            y += 18
        if number < len(STEPS) - 1:
            start, end = left + BOX + 12, left + BOX + GAP - 12
            middle = HEIGHT // 2
            draw.line((start, middle, end - 20, middle), fill=LINE, width=8)
            draw.polygon(
                ((end, middle), (end - 26, middle - 20), (end - 26, middle + 20)), fill=LINE
            )
    OUTPUT.parent.mkdir(exist_ok=True)
    # No text chunks and a fixed resolution: the file is the same on every run.
    image.save(OUTPUT, "PNG", optimize=True, dpi=(150, 150))
    print(f"{OUTPUT}: {OUTPUT.stat().st_size} byte")


if __name__ == "__main__":
    main()
