//! Time (时间): instants in UTC, business dates in the jurisdiction's calendar.
//!
//! Every "on time", "overdue", "found on", the year of a number and every date shown or exported
//! goes through [`BusinessCalendar`]: a UTC date and a Beijing date differ between 00:00 and 08:00
//! Beijing time, and comparing the one with the other was the source of real bugs (a hazard closed
//! at 01:00 on the day after its deadline counted as on time).

use serde::{Deserialize, Serialize};
use std::fmt;

/// 业务日期 — a calendar date in the business time zone (a deadline, the day a hazard was found).
pub type LocalDate = jiff::civil::Date;

/// 时刻 — a point in time, UTC. Stored and sent as fixed-width text
/// (`2026-11-26T03:04:05.678Z`) so that text order is time order on both engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub jiff::Timestamp);

impl Instant {
    pub fn now() -> Self {
        Self(jiff::Timestamp::now())
    }

    /// Reads a stored or sent instant (any RFC 3339 form).
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok().map(Self)
    }

    /// The stored form: UTC, milliseconds, fixed width.
    pub fn to_db(self) -> String {
        self.0.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }

    pub fn timestamp(self) -> jiff::Timestamp {
        self.0
    }
}

impl From<jiff::Timestamp> for Instant {
    fn from(t: jiff::Timestamp) -> Self {
        Self(t)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_db())
    }
}

impl Serialize for Instant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_db())
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom("时间格式应为 RFC 3339（如 2026-06-15T02:00:00Z）"))
    }
}

impl utoipa::PartialSchema for Instant {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
            .description(Some("UTC instant, e.g. 2026-06-15T02:00:00.000Z"))
            .into()
    }
}

impl utoipa::ToSchema for Instant {}

/// The years a plan, a quota or a statistic may name (年份).
pub const YEARS: std::ops::RangeInclusive<i64> = 2000..=2100;

/// A year within [`YEARS`]; the error names the field.
pub fn check_year(field: &str, year: i64) -> Result<i64, crate::FieldError> {
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(crate::FieldError::new(field, format!("年份应在{}至{}之间", YEARS.start(), YEARS.end())))
    }
}

/// Whether something done on a business date met a deadline date (the deadline's whole day
/// counts: 整改期限 is the end of that day).
pub fn met_deadline(done_on: LocalDate, deadline: LocalDate) -> bool {
    done_on <= deadline
}

/// Days past a deadline on the business date `today`: a deadline is the end of its day, so 0 on
/// the first day after it and `None` up to and including the deadline.
pub fn days_past(deadline: LocalDate, today: LocalDate) -> Option<i64> {
    (!met_deadline(today, deadline)).then(|| (today - deadline).get_days() as i64 - 1)
}

/// The time zone business dates are read in unless a jurisdiction says otherwise.
pub const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";

/// 业务日历 — how instants become business dates in one jurisdiction's time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    tz: jiff::tz::TimeZone,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self::new(DEFAULT_TIMEZONE).expect("the default time zone is known")
    }
}

impl BusinessCalendar {
    /// The calendar of an IANA time zone (a jurisdiction's stored `timezone`).
    pub fn new(timezone: &str) -> Option<Self> {
        jiff::tz::TimeZone::get(timezone).ok().map(|tz| Self { tz })
    }

    /// The IANA name of the time zone (`Asia/Shanghai`).
    pub fn timezone_name(&self) -> String {
        self.tz.iana_name().unwrap_or(DEFAULT_TIMEZONE).to_string()
    }

    /// The business date at an instant (发现日期, 销号日期, "today").
    pub fn date_of(&self, at: Instant) -> LocalDate {
        at.0.to_zoned(self.tz.clone()).date()
    }

    /// The year an instant falls in, as numbers (YH-2026-…) and annual quotas count it.
    pub fn year_of(&self, at: Instant) -> i16 {
        self.date_of(at).year()
    }

    /// The first instant of a business date (a period filter's lower bound).
    pub fn start_of(&self, day: LocalDate) -> Instant {
        let z = day.to_zoned(self.tz.clone()).expect("a civil date exists in the zone");
        Instant(z.timestamp())
    }

    /// Whether something done at `done` met a deadline date: a deadline is the end of its day in
    /// the business time zone.
    pub fn on_time(&self, done: Instant, deadline: LocalDate) -> bool {
        met_deadline(self.date_of(done), deadline)
    }

    /// Days past a deadline at `now` (0 on the first day after it), `None` while not overdue.
    pub fn days_overdue(&self, deadline: LocalDate, now: Instant) -> Option<i64> {
        days_past(deadline, self.date_of(now))
    }

    /// An instant as a clerk reads it: local date and time to the minute (导出, 打印).
    pub fn display(&self, at: Instant) -> String {
        at.0.to_zoned(self.tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Instant {
        Instant::parse(s).unwrap()
    }

    #[test]
    fn a_beijing_date_is_not_the_utc_date_before_eight() {
        let cal = BusinessCalendar::default();
        // 2026-06-15 17:00 UTC is 2026-06-16 01:00 in Beijing.
        assert_eq!(cal.date_of(at("2026-06-15T17:00:00Z")).to_string(), "2026-06-16");
        assert_eq!(cal.date_of(at("2026-06-15T15:59:59Z")).to_string(), "2026-06-15");
        assert_eq!(cal.display(at("2026-06-15T17:00:00Z")), "2026-06-16 01:00");
        // New Year's Eve in UTC is already next year in Beijing: the number's year follows Beijing.
        assert_eq!(cal.year_of(at("2026-12-31T16:30:00Z")), 2027);
    }

    #[test]
    fn closed_at_one_in_the_morning_after_the_deadline_is_late() {
        let cal = BusinessCalendar::default();
        let deadline: LocalDate = "2026-06-15".parse().unwrap();
        // 01:00 Beijing on 06-16 — the UTC date (06-15) would wrongly say on time.
        assert!(!cal.on_time(at("2026-06-15T17:00:00Z"), deadline));
        assert!(cal.on_time(at("2026-06-15T15:59:59Z"), deadline));
        assert_eq!(cal.days_overdue(deadline, at("2026-06-15T17:00:00Z")), Some(0));
        assert_eq!(cal.days_overdue(deadline, at("2026-06-15T15:00:00Z")), None);
        assert_eq!(cal.days_overdue(deadline, at("2026-06-18T01:00:00Z")), Some(2));
    }

    #[test]
    fn a_day_starts_at_midnight_local_and_instants_round_trip() {
        let cal = BusinessCalendar::default();
        assert_eq!(cal.start_of("2026-06-16".parse().unwrap()).to_db(), "2026-06-15T16:00:00.000Z");
        let i = at("2026-06-15T02:00:00Z");
        assert_eq!(i.to_db(), "2026-06-15T02:00:00.000Z");
        assert_eq!(Instant::parse(&i.to_db()), Some(i));
        assert_eq!(serde_json::to_value(i).unwrap(), "2026-06-15T02:00:00.000Z");
        assert!(BusinessCalendar::new("Mars/Olympus").is_none());
        let utc = BusinessCalendar::new("UTC").unwrap();
        assert_eq!(utc.date_of(at("2026-06-15T17:00:00Z")).to_string(), "2026-06-15");
    }
}
