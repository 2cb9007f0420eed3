"""Feeds an ESC/POS job to emupos's simulated printer and reports what it printed.

An independent emulator (emupos, from PyPI) checks our bytes: usage
`emupos_render.py JOB.bin WIDTH_DOTS OUT.png`. Prints one JSON object:
- receipts: every completed receipt (text dump, size in dots, how it ended),
  the first one's picture written to OUT.png;
- events: the emulator's complaints (unknown commands, code pages);
- status: emupos's own replies to DLE EOT 1, 2 and 4 for each fault, so the
  Rust side can check that it reads them as intended.

emupos has no Chinese font: each byte of a GB18030 character prints as one
12-dot cell, so a Chinese character is 24 dots wide, as on a real printer.
"""

import json
import sys

from emupos.config import PrinterProfile
from emupos.printer.escpos import status
from emupos.printer.printer import Printer


def main() -> None:
    job_path, width, png_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    profile = PrinterProfile(
        type="printer",
        name=f"generic {width} dots",
        dpi=203,
        width_dots=width,
        font_a={"width": 12, "height": 24},
        font_b={"width": 9, "height": 17},
        code_pages={0: "PC437"},
        default_code_page=0,
        drawer_sensor_open_level="high",
    )
    printer = Printer("lobby", profile, sensor_open_level="high", job_idle_timeout_ms=60_000)
    printer.open_connection("c", 0.0)
    with open(job_path, "rb") as f:
        data = f.read()
    out = printer.receive("c", data, 0.0) + printer.close_connection("c", 0.0)
    receipts = [
        {
            "text": r.text,
            "width": r.width_dots,
            "height": r.height_dots,
            "boundary": r.boundary,
        }
        for r in out.receipts
    ]
    if out.receipts:
        with open(png_path, "wb") as f:
            f.write(out.receipts[0].png)
    states = {
        "ready": status.StatusState(),
        "paper_near_end": status.StatusState(paper_near_end=True),
        "paper_end": status.StatusState(paper_out=True),
        "cover_open": status.StatusState(cover_open=True),
        "offline": status.StatusState(offline=True),
    }
    replies = {
        name: [status.dle_eot(n, state)[0] for n in (1, 2, 4)] for name, state in states.items()
    }
    events = [{"type": str(e.type), "data": dict(e.data)} for e in out.events]
    json.dump({"receipts": receipts, "events": events, "status": replies}, sys.stdout)


if __name__ == "__main__":
    main()
