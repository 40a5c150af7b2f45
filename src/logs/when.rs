//! When a setup run started and failed, as far as its log tells: the MSI banner's date with a
//! line's time of day, a Setup log's stamped lines, a ConfigLog's file name with its times, an
//! event's `Date:` field. The log's own local time, never converted. A date that reads both as
//! month/day and day/month (1/10/2017) is kept as a range that covers both, so a comparison only
//! says "before" or "after" when every reading agrees.

use serde::{Deserialize, Serialize};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// A local date and time, to the second, as seconds from 1970-01-01 00:00:00 (no time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime(pub i64);

impl LocalTime {
    /// A civil date and time; `None` when a part is out of range.
    pub fn new(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<Self> {
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 61;
        valid.then(|| {
            LocalTime(
                days_from_civil(year, month, day) * 86_400
                    + i64::from(hour) * 3600
                    + i64::from(minute) * 60
                    + i64::from(second),
            )
        })
    }

    /// `2017-01-12 00:20:41` (SQL Server's style 120, also accepted with a `T`, fractions and
    /// a trailing `Z` or offset, which are ignored).
    pub fn parse_iso(text: &str) -> Option<Self> {
        let t = text.trim();
        let (date, time) = t.split_once([' ', 'T'])?;
        let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
        let (y, m, day) = (d.next()??, d.next()??, d.next()??);
        let time = time.trim_end_matches('Z');
        let time = time.split(['+', '.']).next().unwrap_or(time);
        let mut parts = time.split(':').map(|p| p.parse::<u32>().ok());
        let (h, mi, s) = (parts.next()??, parts.next()??, parts.next().flatten().unwrap_or(0));
        LocalTime::new(y, u32::try_from(m).ok()?, u32::try_from(day).ok()?, h, mi, s)
    }

    /// The same time `secs` later.
    pub fn plus(self, secs: i64) -> Self {
        LocalTime(self.0 + secs)
    }
}

impl std::fmt::Display for LocalTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days = self.0.div_euclid(86_400);
        let rem = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(f, "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        LocalTime::parse_iso(&text).ok_or_else(|| serde::de::Error::custom(format!("not a time: {text}")))
    }
}

/// When something happened: at or after `earliest`, at or before `latest` (when known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// The earliest it can have been.
    pub earliest: LocalTime,
    /// The latest it can have been; `None` when the log does not bound it.
    pub latest: Option<LocalTime>,
    /// When the run that failed started, when the log says (the databases were untouched
    /// before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_started: Option<LocalTime>,
    /// Where it was read, in words.
    pub evidence: String,
}

/// How a time stands against a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Before the earliest reading.
    Before,
    /// After the latest reading.
    After,
    /// Inside the range, or the range is open on that side: cannot tell.
    Unknown,
}

impl TimeRange {
    /// A single moment.
    pub fn at(t: LocalTime, evidence: impl Into<String>) -> Self {
        TimeRange { earliest: t, latest: Some(t), run_started: None, evidence: evidence.into() }
    }

    /// Where `t` stands against the range.
    pub fn compare(&self, t: LocalTime) -> Order {
        if t < self.earliest {
            Order::Before
        } else if self.latest.is_some_and(|l| t > l) {
            Order::After
        } else {
            Order::Unknown
        }
    }

    /// The moment before which the databases were surely untouched: the run's start when
    /// known, else the earliest reading of the failure.
    pub fn untouched_before(&self) -> LocalTime {
        self.run_started.map_or(self.earliest, |s| s.min(self.earliest))
    }

    /// `2017-01-12 00:25:33` or `between … and …`.
    pub fn describe(&self) -> String {
        match self.latest {
            Some(l) if l == self.earliest => self.earliest.to_string(),
            Some(l) => format!("between {} and {}", self.earliest, l),
            None => format!("at or after {}", self.earliest),
        }
    }
}

/// How much of the start and of the end of a log is read for its dates.
const EDGE: u64 = 64 * 1024;

/// When the failure whose root-cause line is `line` (with its `text` and context `lines`)
/// happened, from the log at `path`; `None` when the log does not tell.
pub fn failure_time(path: &Path, root_line: u64) -> Option<TimeRange> {
    let (head, tail) = read_edges(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut near = lines_before(path, root_line + 1, 41);
    // The last line read is the root line itself when the log was long enough.
    let root = if near.len() as u64 == root_line.min(41) { near.pop() } else { None };
    from_text(&name, &head, &tail, root.as_deref(), &near)
}

/// The range from a log's name, its first and last part, the root line and the lines just
/// before it (nearest last).
pub fn from_text(name: &str, head: &str, tail: &str, root: Option<&str>, before: &[String]) -> Option<TimeRange> {
    // A stamped line carries its own date (Setup logs, event exports, generic logs).
    let stamped = |line: &str| full_stamp(line);
    if let Some(line) = root {
        if let Some(t) = stamped(line) {
            let started = head.lines().find_map(full_stamp).map(|r| r.earliest);
            return Some(TimeRange { run_started: started, ..t });
        }
    }
    if let Some(t) = before.iter().rev().find_map(|l| stamped(l)) {
        let started = head.lines().find_map(full_stamp).map(|r| r.earliest);
        return Some(TimeRange { run_started: started, ..t });
    }
    // An MSI log: the banner's date and time, lines with a time of day only.
    if let Some(start) = head.lines().take(5).find_map(|l| msi_banner(l, "started:")) {
        let stop = tail.lines().rev().take(10).find_map(|l| msi_banner(l, "stopped:"));
        let clock = root.and_then(time_of_day).or_else(|| before.iter().rev().find_map(|l| time_of_day(l)));
        let evidence = "the MSI log's banner date and the line's time".to_string();
        return Some(match clock {
            Some((h, m, s)) => {
                let pick = |day: LocalTime| roll_forward(day, h, m, s);
                let earliest = pick(start.earliest);
                let latest = pick(start.latest.unwrap_or(start.earliest));
                TimeRange { earliest, latest: Some(latest), run_started: Some(start.earliest), evidence }
            }
            None => TimeRange {
                earliest: start.earliest,
                latest: stop.map(|r| r.latest.unwrap_or(r.earliest)),
                run_started: Some(start.earliest),
                evidence: "the MSI log's start and end".into(),
            },
        });
    }
    // A ConfigLog: the date in its name, times of day on its lines.
    if let Some(day) = configlog_name_date(name) {
        let clock = root.and_then(time_of_day).or_else(|| before.iter().rev().find_map(|l| time_of_day(l)));
        let first = head.lines().find_map(time_of_day);
        let earliest = clock.map_or(day.earliest, |(h, m, s)| roll_forward(day.earliest, h, m, s));
        let latest = clock.map(|(h, m, s)| roll_forward(day.latest.unwrap_or(day.earliest), h, m, s));
        let started = first.map(|(h, m, s)| roll_forward(day.earliest, h, m, s));
        return Some(TimeRange {
            earliest,
            latest,
            run_started: started,
            evidence: "the ConfigLog's file name and the line's time".into(),
        });
    }
    None
}

/// The first `day` (a range's date at 00:00) plus a time of day, moved to the next day when the
/// time is before the day's own time (a run past midnight).
fn roll_forward(day: LocalTime, h: u32, m: u32, s: u32) -> LocalTime {
    let midnight = LocalTime(day.0 - day.0.rem_euclid(86_400));
    let t = midnight.plus(i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s));
    if t < day {
        t.plus(86_400)
    } else {
        t
    }
}

/// `=== Verbose logging started: 1/12/2017  0:20:41  Build type: …` (or `stopped:`): the
/// date read both ways when it is ambiguous.
fn msi_banner(line: &str, word: &str) -> Option<TimeRange> {
    let at = line.find(word)? + word.len();
    let rest = line[at..].trim_start();
    let mut parts = rest.split_whitespace();
    let date = parts.next()?;
    let time = parts.next()?;
    let (h, m, s) = clock(time)?;
    let days = slash_dates(date)?;
    let to = |d: &(i64, u32, u32)| LocalTime::new(d.0, d.1, d.2, h, m, s);
    let readings: Vec<LocalTime> = days.iter().filter_map(to).collect();
    let earliest = *readings.iter().min()?;
    let latest = *readings.iter().max()?;
    Some(TimeRange { earliest, latest: Some(latest), run_started: None, evidence: line.trim().to_string() })
}

/// `1/12/2017`, `12.01.2017`, `2017-01-12`: every (year, month, day) it can mean.
fn slash_dates(text: &str) -> Option<Vec<(i64, u32, u32)>> {
    let parts: Vec<&str> = text.split(['/', '.', '-']).collect();
    if parts.len() != 3 {
        return None;
    }
    let nums: Vec<i64> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
    if parts[0].len() == 4 {
        return Some(vec![(nums[0], u32::try_from(nums[1]).ok()?, u32::try_from(nums[2]).ok()?)]);
    }
    let year = if nums[2] < 100 { 2000 + nums[2] } else { nums[2] };
    let (a, b) = (u32::try_from(nums[0]).ok()?, u32::try_from(nums[1]).ok()?);
    let mut out = Vec::new();
    if a <= 12 {
        out.push((year, a, b));
    }
    if b <= 12 && a != b {
        out.push((year, b, a));
    }
    (!out.is_empty()).then_some(out)
}

/// `0:20:41`, `12:40:11 AM` → 24-hour (h, m, s).
fn clock(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split(':').map(|p| p.trim().parse::<u32>().ok());
    let (h, m) = (parts.next()??, parts.next()??);
    let s = parts.next().flatten().unwrap_or(0);
    (h < 24 && m < 60 && s < 61).then_some((h, m, s))
}

/// The time of day a line carries: MSI's `[23:04:53:838]`, `Action ended 0:25:33:`, a
/// ConfigLog's `[12:40:11 AM Error …]`.
pub fn time_of_day(line: &str) -> Option<(u32, u32, u32)> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let rest = &line[i..];
            let token: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
            let pieces: Vec<&str> = token.split(':').collect();
            if pieces.len() >= 3 && pieces[..3].iter().all(|p| !p.is_empty() && p.len() <= 2) {
                if let Some((mut h, m, s)) = clock(&pieces[..3].join(":")) {
                    let after = rest[token.len()..].trim_start();
                    if after.starts_with("PM") && h < 12 {
                        h += 12;
                    } else if after.starts_with("AM") && h == 12 {
                        h = 0;
                    }
                    return Some((h, m, s));
                }
            }
            i += token.len().max(1);
        } else {
            i += 1;
        }
    }
    None
}

/// A line stamped with a full date and time: `[01/12/2017 00:20:41]`, `Date: 1/12/2017 12:37:59
/// AM`, `2017-01-12 10:16:09.085`, `2017-01-11T22:14:05.640`.
fn full_stamp(line: &str) -> Option<TimeRange> {
    for (i, _) in line.char_indices().filter(|(_, c)| c.is_ascii_digit()) {
        if i > 0 && line.as_bytes()[i - 1].is_ascii_digit() {
            continue;
        }
        let rest = &line[i..];
        let date: String = rest.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '/' | '-' | '.')).collect();
        if date.len() < 8 {
            continue;
        }
        let Some(days) = slash_dates(date.trim_end_matches(['.', '-'])) else { continue };
        let after = &rest[date.len()..];
        let after = after.strip_prefix('T').unwrap_or(after).trim_start();
        let Some((h, m, s)) = time_of_day(after.get(..after.len().min(14)).unwrap_or(after)) else { continue };
        let readings: Vec<LocalTime> = days.iter().filter_map(|d| LocalTime::new(d.0, d.1, d.2, h, m, s)).collect();
        let (Some(earliest), Some(latest)) = (readings.iter().min(), readings.iter().max()) else { continue };
        return Some(TimeRange {
            earliest: *earliest,
            latest: Some(*latest),
            run_started: None,
            evidence: "the line's own date and time".into(),
        });
    }
    None
}

/// `ConfigLog(01-12-2017 0h37m59s).log` → that date (both readings), at the time in the name.
fn configlog_name_date(name: &str) -> Option<TimeRange> {
    let inner = name.split_once('(')?.1.split_once(')')?.0;
    let (date, time) = inner.split_once(' ')?;
    let time = time.replace(['h', 'm'], ":").replace('s', "");
    let (h, m, s) = clock(&time)?;
    let days = slash_dates(date)?;
    let readings: Vec<LocalTime> = days.iter().filter_map(|d| LocalTime::new(d.0, d.1, d.2, h, m, s)).collect();
    Some(TimeRange {
        earliest: *readings.iter().min()?,
        latest: readings.iter().max().copied(),
        run_started: None,
        evidence: format!("the file name {name}"),
    })
}

/// The first and the last [`EDGE`] bytes of a file, decoded.
fn read_edges(path: &Path) -> Option<(String, String)> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let mut head = vec![0; EDGE.min(len) as usize];
    file.read_exact(&mut head).ok()?;
    let (encoding, bom) = super::decode::choose(&head, None)?;
    let decode = |bytes: &[u8]| encoding.coder().decode_without_bom_handling(bytes).0.into_owned();
    let head_text = decode(&head[bom.min(head.len())..]);
    let tail_text = if len > EDGE {
        // An even offset keeps UTF-16 code units whole.
        let start = (len - EDGE) & !1;
        file.seek(SeekFrom::Start(start)).ok()?;
        let mut tail = Vec::new();
        file.take(EDGE).read_to_end(&mut tail).ok()?;
        decode(&tail)
    } else {
        head_text.clone()
    };
    Some((head_text, tail_text))
}

/// Up to `n` lines before 1-based `line` (nearest last), read within the first [`EDGE`]×16
/// bytes only: a root cause deep in a huge log keeps its own line's time.
fn lines_before(path: &Path, line: u64, n: usize) -> Vec<String> {
    let Ok(file) = std::fs::File::open(path) else { return Vec::new() };
    let mut bytes = Vec::new();
    if file.take(EDGE * 16).read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let Some((encoding, bom)) = super::decode::choose(&bytes, None) else { return Vec::new() };
    let text = encoding.coder().decode_without_bom_handling(&bytes[bom.min(bytes.len())..]).0.into_owned();
    let end = line.saturating_sub(1) as usize;
    let lines: Vec<&str> = text.lines().take(end).collect();
    lines[lines.len().saturating_sub(n)..].iter().map(|l| l.to_string()).collect()
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> LocalTime {
        LocalTime::parse_iso(s).unwrap()
    }

    #[test]
    fn civil_times_round_trip_and_compare() {
        for s in ["1970-01-01 00:00:00", "2000-02-29 23:59:59", "2017-01-12 00:20:41", "2026-12-03 16:52:21"] {
            assert_eq!(t(s).to_string(), s);
        }
        assert!(t("2017-01-12 00:20:41") < t("2017-01-12 00:20:42"));
        assert_eq!(LocalTime::new(2017, 2, 29, 0, 0, 0), None);
        assert_eq!(t("2017-01-11T22:14:05.640").to_string(), "2017-01-11 22:14:05");
    }

    #[test]
    fn an_msi_line_takes_the_banner_date_and_an_ambiguous_date_is_a_range() {
        let head = "=== Verbose logging started: 1/10/2017  23:04:41  Build type: SHIP UNICODE 5.00.9600.00 ===\nMSI (c) (6C:D0) [23:04:41:126]: Resetting\n";
        let tail = "MSI (c) (6C:D0) [23:04:53:838]: MainEngineThread is returning 1603\n=== Verbose logging stopped: 1/10/2017  23:04:53 ===\n";
        let r = from_text("x.log", head, tail, Some("MSI (s) (48!A4) [23:04:50:768]: Product: X -- Error 5003."), &[])
            .unwrap();
        // January 10th or October 1st.
        assert_eq!(r.earliest, t("2017-01-10 23:04:50"));
        assert_eq!(r.latest, Some(t("2017-10-01 23:04:50")));
        assert_eq!(r.run_started, Some(t("2017-01-10 23:04:41")));
        assert_eq!(r.compare(t("2017-01-10 22:00:00")), Order::Before);
        assert_eq!(r.compare(t("2017-05-01 00:00:00")), Order::Unknown, "between the two readings: cannot tell");
        assert_eq!(r.compare(t("2017-11-01 00:00:00")), Order::After);
        let day13 =
            from_text("x.log", &head.replace("1/10/2017", "1/13/2017"), tail, Some("[23:04:50:768]"), &[]).unwrap();
        assert_eq!(day13.describe(), "2017-01-13 23:04:50");
    }

    #[test]
    fn a_run_past_midnight_moves_to_the_next_day_and_a_line_without_time_uses_the_lines_before() {
        let head = "=== Verbose logging started: 1/13/2017  23:50:00  Build type: SHIP ===\n";
        let before = vec!["MSI (s) (2C:64) [00:10:02:111]: Doing action: CA_X".to_string()];
        let r = from_text("x.log", head, "", Some("CA_X: Login failed for user 'sa'."), &before).unwrap();
        assert_eq!(r.earliest, t("2017-01-14 00:10:02"));
    }

    #[test]
    fn stamped_lines_configlog_names_and_twelve_hour_clocks() {
        let setup = "<tr><td>[01/13/2017 00:21:07]</td><td>Error</td><td>Failed</td></tr>";
        assert_eq!(
            from_text("Setup(011317 002041).htm", "", "", Some(setup), &[]).unwrap().earliest,
            t("2017-01-13 00:21:07")
        );
        let r = from_text(
            "ConfigLog(01-13-2017 0h37m59s).log",
            "[12:37:59 AM Info Configuration] start\n",
            "",
            Some("[12:40:11 AM Error ConfigHelper] Failed"),
            &[],
        )
        .unwrap();
        assert_eq!(r.earliest, t("2017-01-13 00:40:11"));
        assert_eq!(r.run_started, Some(t("2017-01-13 00:37:59")));
        assert_eq!(time_of_day("[1:57:09 PM Error ConfigHelper]"), Some((13, 57, 9)));
        assert_eq!(time_of_day("no time here 12:3"), None);
        assert!(from_text("notes.txt", "nothing dated", "", Some("an error"), &[]).is_none());
    }
}
