-- wrk script: every request reports a 一般 hazard (the API numbers and audits each one), spread
-- over the enterprises in $ENTERPRISES (comma-separated ids), as real traffic is.
local ids = {}
for id in string.gmatch(os.getenv("ENTERPRISES"), "[0-9]+") do
  ids[#ids + 1] = id
end
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
}
local n = math.random(#ids)
request = function()
  n = n % #ids + 1
  local body = '{"enterprise_id": ' .. ids[n] .. ', "description": "压测：消防通道堆放物料", "grade": "一般", '
    .. '"source": "政府检查", "deadline": "2030-12-31", "location": "二号仓库"}'
  return wrk.format("POST", nil, headers, body)
end
