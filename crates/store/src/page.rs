//! Keyset pagination: lists are ordered by id and continue after the last id seen.

use base64::Engine;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// One page of a list, as every list endpoint answers it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// Number of matching rows in all pages (a lower bound when `total_capped`).
    pub total: i64,
    /// The count stopped at a cap (very large lists): there are at least `total` rows.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub total_capped: bool,
}

/// Page size and position asked for.
#[derive(Debug, Clone)]
pub struct PageReq {
    pub size: i64,
    /// Continue after this id (descending lists: before it).
    pub after: Option<i64>,
    /// A list sorted by another column: that column's value in the last row seen (the id breaks ties).
    pub after_key: Option<String>,
    /// How the total is counted.
    pub count: Count,
}

/// How a list counts its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Every matching row (the largest lists cap it, see `hazard::COUNT_CAP`).
    Exact,
    /// The first page of an export: up to one more than the export's cap, to refuse a larger one.
    Export { cap: i64 },
    /// A later page of an export: the total is known already.
    Skip,
}

pub const DEFAULT_PAGE_SIZE: i64 = 20;
pub const MAX_PAGE_SIZE: i64 = 200;
/// Exports read this many rows at most unless the installation sets another cap
/// (`max_export_rows`): a larger export is refused with advice to filter.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

impl PageReq {
    /// Decodes the client's `page_size` and `cursor`.
    pub fn parse(page_size: Option<i64>, cursor: Option<&str>) -> Result<Self, crate::StoreError> {
        let size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(crate::StoreError::invalid("page_size", format!("每页条数应在1至{MAX_PAGE_SIZE}之间")));
        }
        let (after, after_key) = match cursor.filter(|c| !c.is_empty()) {
            None => (None, None),
            Some(c) => {
                let (id, key) = decode_cursor(c).ok_or_else(|| crate::StoreError::invalid("cursor", "分页游标无效"))?;
                (Some(id), key)
            }
        };
        Ok(Self { size, after, after_key, count: Count::Exact })
    }

    /// A page of an export of at most `cap` rows: [`EXPORT_PAGE`] rows after `cursor`, the
    /// first one counted.
    pub fn export_page(cursor: Option<&str>, cap: i64) -> Result<Self, crate::StoreError> {
        let Self { after, after_key, .. } = Self::parse(None, cursor)?;
        let count = if after.is_some() { Count::Skip } else { Count::Export { cap } };
        Ok(Self { size: EXPORT_PAGE, after, after_key, count })
    }

    /// The whole list at once (up to [`MAX_EXPORT_ROWS`]), for callers that need every row in memory.
    pub fn all() -> Self {
        Self { size: MAX_EXPORT_ROWS, after: None, after_key: None, count: Count::Export { cap: MAX_EXPORT_ROWS } }
    }

    /// One row and the list's total, as a list's first page counts it (the 工作台's to-dos).
    pub fn total_only() -> Self {
        Self { size: 1, after: None, after_key: None, count: Count::Exact }
    }
}

/// Rows an export reads and writes at a time: memory stays flat however long the list is.
pub const EXPORT_PAGE: i64 = 1000;

/// How a keyset list is read: the select with its joins, the table (and joins) to count over,
/// and the id column it pages by. The WHERE clause (scope and filters) is the caller's.
pub struct Keyset {
    /// `SELECT … FROM t x JOIN …`
    pub select: &'static str,
    /// `FROM t x [JOIN …]`, for the count
    pub count_from: &'static str,
    /// `x.id`
    pub id: &'static str,
    /// Newest first (audit log, notifications) instead of oldest first.
    pub descending: bool,
}

impl Keyset {
    /// The rows of one page (one more than asked, to tell whether more exist) and the total.
    pub async fn rows(
        &self,
        store: &crate::Store,
        w: &crate::Q,
        page: PageReq,
    ) -> Result<(Vec<AnyRow>, i64), crate::StoreError> {
        let total = match page.count {
            Count::Skip => 0,
            Count::Exact => {
                let mut c = crate::Q::new("SELECT COUNT(*) AS n ");
                c.push(self.count_from).append(w);
                c.fetch_one(store.pool()).await?.try_get("n")?
            }
            Count::Export { cap } => {
                let mut c = crate::Q::new("SELECT COUNT(*) AS n FROM (SELECT 1 ");
                c.push(self.count_from).append(w).push(" LIMIT ").bind(cap + 1).push(") t");
                c.fetch_one(store.pool()).await?.try_get("n")?
            }
        };
        let mut q = crate::Q::new(self.select);
        q.append(w);
        if let Some(a) = page.after {
            q.push(" AND ").push(self.id).push(if self.descending { " < " } else { " > " }).bind(a);
        }
        q.push(" ORDER BY ").push(self.id).push(if self.descending { " DESC" } else { "" });
        q.push(" LIMIT ").bind(page.size + 1);
        Ok((q.fetch_all(store.pool()).await?, total))
    }

    /// One page, each row read by `map`.
    pub async fn page<T: Keyed>(
        &self,
        store: &crate::Store,
        w: &crate::Q,
        page: PageReq,
        map: impl FnMut(&AnyRow) -> Result<T, crate::StoreError>,
    ) -> Result<Page<T>, crate::StoreError> {
        let (rows, total) = self.rows(store, w, page.clone()).await?;
        let items = rows.iter().map(map).collect::<Result<Vec<_>, _>>()?;
        Ok(finish(items, page, total, T::key))
    }
}

/// What a keyset list pages by.
pub trait Keyed {
    fn key(&self) -> i64;
}

pub fn encode_cursor(id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

/// The cursor of a list sorted by another column: the last row's id and its value of that column.
pub fn encode_keyed_cursor(id: i64, key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("id:{id}:{key}"))
}

fn decode_cursor(c: &str) -> Option<(i64, Option<String>)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix("id:")?;
    match rest.split_once(':') {
        Some((id, key)) => Some((id.parse().ok()?, Some(key.to_string()))),
        None => Some((rest.parse().ok()?, None)),
    }
}

/// Builds a page from `size + 1` fetched items: the extra one only tells that more exist.
pub fn finish<T>(items: Vec<T>, req: PageReq, total: i64, id_of: impl Fn(&T) -> i64) -> Page<T> {
    finish_with(items, req, total, |t| encode_cursor(id_of(t)))
}

/// [`finish`] with the cursor written by `cursor_of` (a list sorted by another column).
pub fn finish_with<T>(mut items: Vec<T>, req: PageReq, total: i64, cursor_of: impl Fn(&T) -> String) -> Page<T> {
    let more = items.len() as i64 > req.size;
    items.truncate(req.size as usize);
    let next_cursor = if more { items.last().map(cursor_of) } else { None };
    Page { items, next_cursor, total, total_capped: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_garbage_is_refused() {
        let c = encode_cursor(42);
        assert_eq!(PageReq::parse(Some(10), Some(&c)).unwrap().after, Some(42));
        let k = PageReq::parse(None, Some(&encode_keyed_cursor(7, "2026-06-30"))).unwrap();
        assert_eq!((k.after, k.after_key.as_deref()), (Some(7), Some("2026-06-30")));
        assert!(PageReq::parse(None, Some("!!")).is_err());
        assert!(PageReq::parse(Some(0), None).is_err());
        assert!(PageReq::parse(Some(500), None).is_err());
    }

    #[test]
    fn next_cursor_only_when_more() {
        let p =
            finish(vec![1, 2, 3], PageReq { size: 2, after: None, after_key: None, count: Count::Exact }, 3, |x| *x);
        assert_eq!(p.items, [1, 2]);
        assert_eq!(p.next_cursor, Some(encode_cursor(2)));
        let p = finish(vec![1, 2], PageReq { size: 2, after: None, after_key: None, count: Count::Exact }, 2, |x| *x);
        assert_eq!(p.next_cursor, None);
    }
}
