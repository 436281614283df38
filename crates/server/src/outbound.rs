//! Outbound channels (短信网关, 企业微信群机器人): notices of the urgent kinds also go out of the
//! platform, after they are committed — off unless an installation sets a channel. One interface
//! ([`Channel`]); the installation's is an HTTP POST of JSON to a URL it gives ([`HttpChannel`]).

use anjian_domain::notice::{outbound_text, NoticeKind};
use anjian_store::outbound::{self, Outcome, Pending};
use anjian_store::{Store, StoreError};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A message as a channel sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The recipient's mobile number ('' when none is recorded)
    pub phone: String,
    pub text: String,
}

pub type Sending<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// Where messages go.
pub trait Channel: Send + Sync {
    fn send<'a>(&'a self, m: &'a Message) -> Sending<'a>;
}

/// The shapes of JSON the gateways take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// 企业微信群机器人 webhook: `{"msgtype":"text","text":{"content","mentioned_mobile_list"}}`,
    /// answered `{"errcode":0}`
    Wecom,
    /// An SMS gateway: `{"phone","content"}`, any 2xx answer; a user without a number is skipped
    Sms,
}

impl Style {
    pub fn parse(s: &str) -> Result<Option<Style>, String> {
        match s.trim() {
            "" | "off" => Ok(None),
            "wecom" => Ok(Some(Style::Wecom)),
            "sms" => Ok(Some(Style::Sms)),
            other => Err(format!("outbound_channel 只能是 off、wecom 或 sms：{other}")),
        }
    }
}

/// A channel that POSTs each message as JSON to the configured URL.
pub struct HttpChannel {
    client: reqwest::Client,
    url: String,
    style: Style,
}

impl HttpChannel {
    pub fn new(style: Style, url: &str) -> Result<Self, String> {
        let url = url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("outbound_url 应以 http:// 或 https:// 开头：{url}"));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("无法创建外发通道：{e}"))?;
        Ok(Self { client, url: url.into(), style })
    }

    fn body(&self, m: &Message) -> serde_json::Value {
        match self.style {
            Style::Wecom => {
                let mentioned: Vec<&str> = [m.phone.as_str()].into_iter().filter(|p| !p.is_empty()).collect();
                serde_json::json!({"msgtype": "text", "text": {"content": m.text, "mentioned_mobile_list": mentioned}})
            }
            Style::Sms => serde_json::json!({"phone": m.phone, "content": m.text}),
        }
    }
}

impl Channel for HttpChannel {
    fn send<'a>(&'a self, m: &'a Message) -> Sending<'a> {
        Box::pin(async move {
            if self.style == Style::Sms && m.phone.trim().is_empty() {
                return Outcome::Skipped("用户未登记手机号".into());
            }
            let answer = match self.client.post(&self.url).json(&self.body(m)).send().await {
                Ok(a) => a,
                Err(e) => return Outcome::Failed(format!("发送失败：{e}")),
            };
            let status = answer.status();
            if !status.is_success() {
                return Outcome::Failed(format!("网关答复 HTTP {}", status.as_u16()));
            }
            if self.style == Style::Wecom {
                let reply: serde_json::Value = answer.json().await.unwrap_or_default();
                match reply["errcode"].as_i64() {
                    Some(0) => {}
                    code => return Outcome::Failed(format!("企业微信答复 errcode {code:?}：{}", reply["errmsg"])),
                }
            }
            Outcome::Delivered
        })
    }
}

/// What goes out, and how.
pub struct Outbound {
    pub channel: Arc<dyn Channel>,
    pub kinds: Vec<NoticeKind>,
}

/// Notices this old at most still go out (a channel switched on does not send last month's).
const WITHIN_HOURS: i64 = 24;
/// Notices sent in one pass at most.
const BATCH: i64 = 100;

impl Outbound {
    /// One pass at `now`: every pending notice of the kinds claimed, sent and its outcome recorded.
    /// Answers how many were delivered.
    pub async fn deliver(&self, store: &Store, now: jiff::Timestamp) -> Result<usize, StoreError> {
        let since = now - jiff::SignedDuration::from_hours(WITHIN_HOURS);
        let mut delivered = 0;
        for p in outbound::pending(store, &self.kinds, since, BATCH).await? {
            if !outbound::claim(store, &p).await? {
                continue;
            }
            let outcome = self.channel.send(&message(&p)).await;
            if outcome == Outcome::Delivered {
                delivered += 1;
            }
            outbound::record(store, p.id, now, &outcome).await?;
        }
        Ok(delivered)
    }
}

fn message(p: &Pending) -> Message {
    Message { phone: p.phone.clone(), text: outbound_text(&p.user_name, &p.title, &p.body) }
}

/// Runs [`Outbound::deliver`] every `every`.
pub fn spawn(
    store: Store,
    outbound: Arc<Outbound>,
    clock: crate::Clock,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match outbound.deliver(&store, clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sent = n, "notices sent out"),
                Err(e) => tracing::error!(error = %e, "outbound delivery failed"),
            }
        }
    })
}
