//! Settings (设置) an administrator enters, checked here before they are stored.

use crate::text::{bounded_opt, MAX_TEXT};
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// Map settings: the tile URL template (e.g. 天地图) — none means boundaries on a plain background.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MapSettings {
    /// e.g. `https://t{s}.example.com/{z}/{x}/{y}.png`; null: no tile server
    pub tile_url: Option<String>,
    pub attribution: Option<String>,
}

/// Map settings that keep every rule; stored as the [`MapSettings`] they hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ValidMapSettings(MapSettings);

impl ValidMapSettings {
    pub fn settings(&self) -> &MapSettings {
        &self.0
    }
}

impl MapSettings {
    /// A tile URL is an http(s) template with `{z}`, `{x}` and `{y}`; both texts are trimmed and
    /// at most 2,000 characters.
    pub fn validate(self) -> Result<ValidMapSettings, Vec<FieldError>> {
        let mut errs = vec![];
        let tile_url = bounded_opt("tile_url", "瓦片地址", self.tile_url.as_deref(), MAX_TEXT, &mut errs);
        if let Some(u) = &tile_url {
            if !(u.starts_with("https://") || u.starts_with("http://"))
                || !u.contains("{z}")
                || !u.contains("{x}")
                || !u.contains("{y}")
            {
                errs.push(FieldError::new("tile_url", "瓦片地址应为 http(s) 地址，并包含 {z}、{x}、{y}"));
            }
        }
        let attribution = bounded_opt("attribution", "地图版权说明", self.attribution.as_deref(), MAX_TEXT, &mut errs);
        if tile_url.as_deref().is_some_and(|u| u.chars().any(char::is_whitespace)) {
            errs.push(FieldError::new("tile_url", "瓦片地址不能含有空格或换行"));
        }
        if errs.is_empty() {
            Ok(ValidMapSettings(MapSettings { tile_url, attribution }))
        } else {
            Err(errs)
        }
    }
}

impl MapSettings {
    /// The tile server as a Content-Security-Policy source (`img-src`), e.g.
    /// `https://*.tianditu.gov.cn` for `https://t{s}.tianditu.gov.cn/…`: a placeholder in the first
    /// label becomes the `*.` wildcard, one elsewhere allows any host of the scheme. `None` when there
    /// is no tile server or its host is not plainly a host name (nothing may reach the header but
    /// host characters).
    pub fn tile_source(&self) -> Option<String> {
        let url = self.tile_url.as_deref()?;
        let (scheme, rest) = url.split_once("://")?;
        if scheme != "https" && scheme != "http" {
            return None;
        }
        let authority = rest.split(['/', '?', '#']).next()?;
        let host = authority.rsplit('@').next()?;
        if host.is_empty() {
            return None;
        }
        let (first, tail) = host.split_once('.').unwrap_or((host, ""));
        let host = if first.contains('{') && !tail.is_empty() && !tail.contains('{') {
            format!("*.{tail}")
        } else if host.contains('{') {
            return Some(format!("{scheme}:"));
        } else {
            host.to_string()
        };
        let plain =
            host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'*' | b'[' | b']'));
        plain.then(|| format!("{scheme}://{host}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tile_server_becomes_a_csp_source() {
        let src = |u: &str| map(Some(u), None).tile_source();
        assert_eq!(
            src("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=0123&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}").as_deref(),
            Some("https://*.tianditu.gov.cn")
        );
        assert_eq!(
            src("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://*.tile.openstreetmap.org")
        );
        assert_eq!(src("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png").as_deref(), Some("http://10.1.2.3:8080"));
        assert_eq!(src("https://tiles.{s}.example.com/{z}/{x}/{y}").as_deref(), Some("https:"));
        // Nothing but host characters reaches the header.
        assert_eq!(src("https://evil.example.com;script-src *;/{z}/{x}/{y}"), None);
        assert_eq!(src("https://a b/{z}/{x}/{y}"), None);
        assert_eq!(map(None, None).tile_source(), None);
    }

    fn map(tile_url: Option<&str>, attribution: Option<&str>) -> MapSettings {
        MapSettings { tile_url: tile_url.map(String::from), attribution: attribution.map(String::from) }
    }

    #[test]
    fn a_tianditu_template_is_accepted_and_no_tile_server_too() {
        let url = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=0123abcd&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}";
        let v = map(Some(&format!(" {url} ")), Some("© 天地图 GS(2024)0568号")).validate().unwrap();
        assert_eq!(v.settings().tile_url.as_deref(), Some(url));
        assert_eq!(serde_json::to_value(&v).unwrap()["attribution"], "© 天地图 GS(2024)0568号");
        assert_eq!(map(None, None).validate().unwrap().settings(), &MapSettings::default());
    }

    #[test]
    fn a_tile_url_must_be_an_http_template_with_z_x_and_y() {
        for bad in ["ftp://tiles.example.com/{z}/{x}/{y}.png", "https://tiles.example.com/{z}/{x}.png", ""] {
            let e = map(Some(bad), None).validate().unwrap_err();
            assert_eq!(e, [FieldError::new("tile_url", "瓦片地址应为 http(s) 地址，并包含 {z}、{x}、{y}")], "{bad}");
        }
        let e = map(Some("javascript:alert(1)"), Some(&"版".repeat(2001))).validate().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["tile_url", "attribution"]);
    }
}
