//! The enterprise's statistics report periods (第十四条: 季度、年度).

use crate::FieldError;

/// A reporting period of the enterprise statistics report (第十四条: 季度、年度).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPeriod {
    Quarter { year: i16, quarter: i8 },
    Year(i16),
}

impl ReportPeriod {
    /// Parses `2026Q1` or `2026`.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let err = || FieldError::new("period", "统计期应为「2026Q1」（季度）或「2026」（年度）");
        let s = s.trim().to_ascii_uppercase();
        match s.split_once('Q') {
            Some((y, q)) => {
                let year: i16 = y.parse().map_err(|_| err())?;
                let quarter: i8 = q.parse().map_err(|_| err())?;
                if !(1..=4).contains(&quarter) || !(2000..=2100).contains(&year) {
                    return Err(err());
                }
                Ok(Self::Quarter { year, quarter })
            }
            None => {
                let year: i16 = s.parse().map_err(|_| err())?;
                if !(2000..=2100).contains(&year) {
                    return Err(err());
                }
                Ok(Self::Year(year))
            }
        }
    }

    /// First and last day, inclusive.
    pub fn range(self) -> (jiff::civil::Date, jiff::civil::Date) {
        use jiff::civil::date;
        match self {
            Self::Quarter { year, quarter } => {
                let start = date(year, (quarter - 1) * 3 + 1, 1);
                let end =
                    start.checked_add(jiff::Span::new().months(3)).expect("in range").yesterday().expect("in range");
                (start, end)
            }
            Self::Year(y) => (date(y, 1, 1), date(y, 12, 31)),
        }
    }

    /// When the report is due (第十四条: 季度 下一季度15日前, 年度 下一年1月31日前).
    pub fn due(self) -> jiff::civil::Date {
        let (_, end) = self.range();
        let next = end.tomorrow().expect("in range");
        match self {
            Self::Quarter { .. } => next.with().day(15).build().expect("valid"),
            Self::Year(_) => next.with().day(31).build().expect("valid"),
        }
    }

    pub fn label(self) -> String {
        match self {
            Self::Quarter { year, quarter } => format!("{year}年第{quarter}季度"),
            Self::Year(y) => format!("{y}年度"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_periods_and_their_due_dates() {
        let q = ReportPeriod::parse("2026q1").unwrap();
        assert_eq!(q.range(), ("2026-01-01".parse().unwrap(), "2026-03-31".parse().unwrap()));
        assert_eq!(q.due().to_string(), "2026-04-15");
        let q4 = ReportPeriod::parse("2026Q4").unwrap();
        assert_eq!(q4.range().1.to_string(), "2026-12-31");
        assert_eq!(q4.due().to_string(), "2027-01-15");
        assert_eq!(ReportPeriod::parse("2026").unwrap().due().to_string(), "2027-01-31");
        assert!(ReportPeriod::parse("2026Q5").is_err());
        assert!(ReportPeriod::parse("去年").is_err());
    }
}
