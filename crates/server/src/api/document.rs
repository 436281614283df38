//! The OpenAPI document as clients read it: the routes' own annotations, completed with what
//! holds for every operation alike — errors as `application/problem+json` with the statuses the
//! HTTP layer answers (401 without a session, 400/413/415/422 for a body, 404 for an id outside
//! scope, 403/409 for writes, 429 for throttled ones), the refusal of NUL in every text, and the
//! LEC/LS score tables as enums.

use serde_json::{json, Map, Value};

/// The finished document, pretty-printed.
pub fn finish(openapi: &utoipa::openapi::OpenApi) -> String {
    let mut doc = serde_json::to_value(openapi).unwrap_or_default();
    complete_errors(&mut doc);
    no_nul_in_texts(&mut doc);
    score_enums(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

fn complete_errors(doc: &mut Value) {
    let schemas = doc.pointer("/components/schemas").cloned().unwrap_or_default();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, ops) in paths.iter_mut() {
        let Some(ops) = ops.as_object_mut() else { continue };
        for (method, op) in ops.iter_mut() {
            let has_body = op.get("requestBody").is_some();
            let json_body = op.pointer("/requestBody/content/application~1json").is_some();
            let has_query =
                op.get("parameters").and_then(Value::as_array).is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            let write = method != "get";
            let login = path == "/api/v1/auth/login";
            let takes_id = path.contains('{')
                || op.get("parameters").and_then(Value::as_array).is_some_and(|ps| {
                    ps.iter().any(|p| p["in"] == "query" && p["name"].as_str().is_some_and(|n| n.ends_with("_id")))
                })
                || body_refers_to_ids(op, &schemas);
            let mut standard: Vec<(&str, &str)> = vec![];
            if !login {
                standard.push(("401", "未登录或登录已过期"));
                standard.push(("403", "无权执行此操作，或跨站请求被拒绝"));
            }
            if takes_id {
                standard.push(("404", "不存在，或不在您的管辖范围内"));
            }
            if has_body || has_query || path.contains('{') {
                standard.push(("400", "请求无法解析（JSON 语法或查询参数有误）"));
                standard.push(("422", "输入有误：errors 列出每个出错的字段"));
            }
            if has_body {
                standard.push(("413", "请求内容过大"));
            }
            if json_body {
                standard.push(("415", "请求体应为 JSON（Content-Type: application/json）"));
            }
            if write && (method == "patch" || method == "delete" || path.contains('{')) {
                standard.push(("409", "数据已被他人修改，或当前状态不允许此操作"));
            }
            if write && (login || path == "/api/v1/files" || has_body) {
                standard.push(("429", "请求过于频繁或超过限额，请按 Retry-After 稍后再试"));
            }
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            for (status, r) in responses.iter_mut() {
                if status.starts_with('4') || status.starts_with('5') {
                    let description = r["description"].as_str().unwrap_or("").to_string();
                    *r = problem(&description);
                }
            }
            for (status, description) in standard {
                responses.entry(status.to_string()).or_insert_with(|| problem(description));
            }
        }
    }
}

/// The component a schema refers to (`{"$ref": "#/components/schemas/Name"}` → `Name`).
fn component(s: &Value) -> Option<&str> {
    s["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// Whether a JSON body names a row by id (`…_id`, one level deep or in a variant): an id outside
/// the caller's scope answers 404.
fn body_refers_to_ids(op: &Value, schemas: &Value) -> bool {
    let Some(body) = op.pointer("/requestBody/content/application~1json/schema") else { return false };
    let resolved = |s: &Value| match component(s) {
        Some(name) => schemas[name].clone(),
        None => s.clone(),
    };
    let top = resolved(body);
    let mut shapes = vec![top.clone()];
    for k in ["oneOf", "allOf", "anyOf"] {
        shapes.extend(top[k].as_array().into_iter().flatten().map(resolved));
    }
    shapes.iter().any(|s| s["properties"].as_object().is_some_and(|ps| ps.keys().any(|k| k.ends_with("_id"))))
}

/// Texts never hold NUL (the server refuses it in queries and bodies, PostgreSQL could not store
/// it): said as a pattern on every text parameter and on every text of a request body that has
/// no pattern, format or enum of its own. Optional date filters may also be empty.
fn no_nul_in_texts(doc: &mut Value) {
    const NO_NUL: &str = "^[^\\u0000]*$";
    fn is_free_text(s: &Value) -> bool {
        let string = s["type"] == "string" || s["type"].as_array().is_some_and(|t| t.iter().any(|t| t == "string"));
        string && s.get("pattern").is_none() && s.get("format").is_none() && s.get("enum").is_none()
    }
    fn mark(s: &mut Value) {
        if is_free_text(s) {
            s["pattern"] = json!(NO_NUL);
        }
        if let Some(props) = s.get_mut("properties").and_then(Value::as_object_mut) {
            props.values_mut().for_each(mark);
        }
        for k in ["items", "additionalProperties"] {
            if let Some(inner) = s.get_mut(k).filter(|v| v.is_object()) {
                mark(inner);
            }
        }
        for k in ["oneOf", "allOf", "anyOf"] {
            if let Some(vs) = s.get_mut(k).and_then(Value::as_array_mut) {
                vs.iter_mut().for_each(mark);
            }
        }
    }
    fn refs(s: &Value, out: &mut Vec<String>) {
        match s {
            Value::Object(m) => {
                if let Some(r) = component(s) {
                    out.push(r.to_string());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(vs) => vs.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    // The components request bodies use, and the components those use in turn.
    let mut todo = vec![];
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for op in paths.values().filter_map(Value::as_object).flat_map(|ops| ops.values()) {
            refs(&op["requestBody"], &mut todo);
        }
    }
    let mut bodies = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if bodies.insert(name.clone()) {
            refs(&doc["components"]["schemas"][&name], &mut todo);
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for name in &bodies {
            if let Some(s) = schemas.get_mut(name) {
                mark(s);
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for op in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|ops| ops.values_mut()) {
            for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                let optional = p["in"] == "query" && p["required"] != true;
                if let Some(s) = p.get_mut("schema") {
                    mark(s);
                    // An empty filter is no filter (`?from=` as an HTML form sends it).
                    if optional && s["format"] == "date" {
                        s.as_object_mut().map(|o| o.remove("format"));
                        s["anyOf"] = json!([{"format": "date"}, {"maxLength": 0}]);
                    }
                }
            }
            if let Some(s) = op.pointer_mut("/requestBody/content/application~1json/schema") {
                mark(s);
            }
        }
    }
}

/// The LEC and LS scores take only the values of their tables (and 1–5 for LS).
fn score_enums(doc: &mut Value) {
    let m = anjian_domain::risk::methods();
    let values = |v: &[f64]| Value::Array(v.iter().map(|x| json!(x)).collect());
    let lec: Map<String, Value> = [("l", values(&m.lec_l)), ("e", values(&m.lec_e)), ("c", values(&m.lec_c))]
        .into_iter()
        .map(|(k, v)| (k.into(), v))
        .collect();
    let one_to_five = values(&[1.0, 2.0, 3.0, 4.0, 5.0]);
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for name in ["AssessRequest", "Scores"] {
        let Some(variants) = schemas.get_mut(name).and_then(|s| s.get_mut("oneOf")).and_then(Value::as_array_mut)
        else {
            continue;
        };
        for v in variants {
            let method = v.pointer("/properties/method/enum/0").and_then(Value::as_str).unwrap_or("").to_string();
            let Some(props) = v.get_mut("properties").and_then(Value::as_object_mut) else { continue };
            for (k, p) in props.iter_mut() {
                let allowed = match (method.as_str(), k.as_str()) {
                    ("LEC", k) => lec.get(k).cloned(),
                    ("LS", "l" | "s") => Some(one_to_five.clone()),
                    _ => None,
                };
                if let Some(a) = allowed {
                    p["enum"] = a;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_become_problems_and_standard_statuses_are_added() {
        let mut doc = json!({"paths": {
            "/api/v1/hazards/{id}/verify": {"post": {"requestBody": {"content": {"application/json": {}}},
                "responses": {"200": {"description": "ok"}, "409": {"description": "状态不允许", "content": {"application/json": {}}}}}},
            "/api/v1/auth/login": {"post": {"requestBody": {"content": {"application/json": {}}}, "responses": {"200": {"description": "ok"}}}}
        }});
        complete_errors(&mut doc);
        let verify = &doc["paths"]["/api/v1/hazards/{id}/verify"]["post"]["responses"];
        assert_eq!(verify["409"]["description"], "状态不允许");
        assert!(verify["409"]["content"]["application/problem+json"].is_object());
        for s in ["400", "401", "403", "404", "413", "415", "422", "429"] {
            assert!(verify[s]["content"]["application/problem+json"].is_object(), "{s}");
        }
        let login = &doc["paths"]["/api/v1/auth/login"]["post"]["responses"];
        assert!(login["403"].is_null() && login["429"].is_object());
    }
}
