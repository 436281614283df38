//! Outbound channels (短信网关, 企业微信): a notice of an urgent kind goes out once, after it is
//! committed, through a real HTTP POST — to a gateway double listening on this machine — and a
//! gateway that fails is tried again; other kinds stay in the platform.

mod common;

use anjian_domain::notice::NoticeKind;
use anjian_server::outbound::{HttpChannel, Outbound, Style};
use axum::routing::post;
use axum::Json;
use common::TestApp;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// A gateway double: records each body, answers with the next of `answers` (then 200 `{"errcode":0}`).
#[derive(Clone, Default)]
struct Gateway {
    got: Arc<Mutex<Vec<Value>>>,
    answers: Arc<Mutex<Vec<(u16, Value)>>>,
}

impl Gateway {
    async fn start(&self) -> String {
        let me = self.clone();
        let app = axum::Router::new().route(
            "/send",
            post(move |Json(body): Json<Value>| {
                let me = me.clone();
                async move {
                    me.got.lock().unwrap().push(body);
                    let next = me.answers.lock().unwrap().pop();
                    let (status, reply) = next.unwrap_or((200, json!({"errcode": 0, "errmsg": "ok"})));
                    (axum::http::StatusCode::from_u16(status).unwrap(), Json(reply))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/send")
    }
    fn bodies(&self) -> Vec<Value> {
        self.got.lock().unwrap().clone()
    }
}

async fn urge_one(app: &TestApp) -> String {
    let (admin, station) = (app.login("admin").await, app.login("station").await);
    let line = app.get("/api/v1/enterprises?q=安泰化工", &admin).await.json()["items"][0]["id"].as_i64().unwrap();
    let h = app
        .post(
            "/api/v1/hazards",
            &station,
            json!({"enterprise_id": line, "description": "罐区防火堤破损", "grade": "一般", "source": "政府检查", "deadline": "2026-06-30"}),
        )
        .await
        .json();
    assert_eq!(
        app.post("/api/v1/hazards/urge", &station, json!({"ids": [h["id"]]})).await.json()["urged"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    h["number"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_urgent_notice_goes_out_once_by_sms_and_a_failing_gateway_is_tried_again() {
    let app = TestApp::demo().await;
    app.sql("UPDATE app_user SET phone = '13912345678' WHERE username = 'enterprise'").await;
    let gw = Gateway::default();
    let url = gw.start().await;
    let out =
        Outbound { channel: Arc::new(HttpChannel::new(Style::Sms, &url).unwrap()), kinds: vec![NoticeKind::Urged] };
    // Nothing waiting of that kind: nothing goes out (the demo's other notices stay in the platform).
    assert_eq!(out.deliver(&app.store, app.now()).await.unwrap(), 0);
    assert!(gw.bodies().is_empty());

    let number = urge_one(&app).await;
    gw.answers.lock().unwrap().push((503, json!({"error": "busy"})));
    assert_eq!(out.deliver(&app.store, app.now()).await.unwrap(), 0, "the gateway was down");
    assert_eq!(out.deliver(&app.store, app.now()).await.unwrap(), 1, "tried again on the next pass");
    assert_eq!(out.deliver(&app.store, app.now()).await.unwrap(), 0, "and not sent twice");
    let bodies = gw.bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[1]["phone"], "13912345678");
    let text = bodies[1]["content"].as_str().unwrap();
    assert!(text.starts_with("【安监平台】") && text.contains(&number) && text.contains("催办"), "{text}");

    // A user without a number is skipped, not retried.
    app.sql("UPDATE app_user SET phone = '' WHERE username = 'enterprise'").await;
    urge_one(&app).await;
    assert_eq!(out.deliver(&app.store, app.now()).await.unwrap(), 0);
    assert_eq!(gw.bodies().len(), 2, "no request for a user without a number");
    assert_eq!(out.deliver(&app.store, app.now()).await.unwrap(), 0);
}

#[tokio::test]
async fn wechat_work_gets_the_text_with_the_mobile_mentioned_and_its_errcode_counts() {
    let app = TestApp::demo().await;
    app.sql("UPDATE app_user SET phone = '13912345678' WHERE username = 'enterprise'").await;
    let gw = Gateway::default();
    let url = gw.start().await;
    let out =
        Outbound { channel: Arc::new(HttpChannel::new(Style::Wecom, &url).unwrap()), kinds: vec![NoticeKind::Urged] };
    urge_one(&app).await;
    // WeChat Work answers 200 with an error code when it refuses a message.
    gw.answers.lock().unwrap().push((200, json!({"errcode": 45009, "errmsg": "api freq out of limit"})));
    assert_eq!(out.deliver(&app.store, app.now()).await.unwrap(), 0);
    assert_eq!(out.deliver(&app.store, app.now()).await.unwrap(), 1);
    let b = &gw.bodies()[1];
    assert_eq!(b["msgtype"], "text");
    assert_eq!(b["text"]["mentioned_mobile_list"], json!(["13912345678"]));
    assert!(b["text"]["content"].as_str().unwrap().contains("被催办"));
    assert!(HttpChannel::new(Style::Wecom, "ftp://example").is_err());
    assert_eq!(Style::parse("off").unwrap(), None);
    assert!(Style::parse("dingtalk").is_err());
}
