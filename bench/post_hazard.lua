-- wrk script: every request reports the same 一般 hazard (the API numbers and audits each one).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"enterprise_id": ' .. os.getenv("ENTERPRISE") .. ', "description": "压测：消防通道堆放物料", "grade": "一般", "source": "政府检查", "deadline": "2030-12-31", "location": "二号仓库"}'
