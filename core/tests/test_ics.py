"""The iCalendar writer: escaping, folding at 75 octets, CRLF, and a round trip."""

from datetime import UTC, date, datetime

from core.ics import CRLF, Event, calendar, escape_text, fold

NOW = datetime(2026, 5, 15, 8, 30, tzinfo=UTC)


def unfold(text: str) -> list[str]:
    """RFC 5545 §3.1: a CRLF followed by one space or tab continues the line."""
    assert text.endswith(CRLF)
    return text.replace(CRLF + " ", "").replace(CRLF + "\t", "").split(CRLF)[:-1]


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def parse(text: str) -> list[dict[str, str]]:
    events, current = [], None
    for line in unfold(text):
        name, _sep, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
    return events


def test_text_is_escaped():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "下一步" * 40  # three octets a character

    folded = fold(line)

    parts = folded.split(CRLF)
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line


def test_a_short_line_is_left_alone():
    assert fold("UID:1@x") == "UID:1@x"


def test_a_calendar_parses_back_to_its_events():
    events = [
        Event(
            uid="a@crm",
            day=date(2026, 5, 20),
            summary="Call back, about price; soon",
            description="Line 1\nLine 2",
        ),
        Event(
            uid="b@crm",
            day=date(2026, 12, 31),
            summary="验收",
            url="https://crm.example/deals/1/",
            categories=("Milestone",),
        ),
    ]

    text = calendar(name="Rep's CRM", events=events, now=NOW, prodid="-//Test//EN")

    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "\n" not in text.replace(CRLF, "")
    first, second = parse(text)
    assert first["UID"] == "a@crm"
    assert first["DTSTART;VALUE=DATE"] == "20260520"
    assert first["DTEND;VALUE=DATE"] == "20260521"
    assert first["DTSTAMP"] == "20260515T083000Z"
    assert unescape(first["SUMMARY"]) == "Call back, about price; soon"
    assert unescape(first["DESCRIPTION"]) == "Line 1\nLine 2"
    assert second["DTEND;VALUE=DATE"] == "20270101"
    assert second["URL"] == "https://crm.example/deals/1/"
    assert second["CATEGORIES"] == "Milestone"
    assert "X-WR-CALNAME:Rep's CRM" in unfold(text)
