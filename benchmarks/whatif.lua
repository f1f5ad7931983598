-- wrk script for POST /api/whatif: fresh random weights for the 7 dimensions on every request.
--   wrk -t1 -c50 -d15s --latency -s benchmarks/whatif.lua http://127.0.0.1:8000
-- Optional: WHATIF_FORMAT=columns (compact column-wise response) or rows (default).
local dims = {"scale", "quality", "innovation", "green", "digital", "enterprise", "agglomeration"}
local format = os.getenv("WHATIF_FORMAT")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local statuses = {}

function setup(thread)
  thread:set("id", tostring(thread))
end

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

request = function()
  local parts = {}
  for i, d in ipairs(dims) do
    parts[i] = string.format('"%s":%.3f', d, 0.01 + math.random() * 0.99)
  end
  local body = '{"weights":{' .. table.concat(parts, ",") .. '}'
  if format then body = body .. ',"format":"' .. format .. '"' end
  body = body .. "}"
  return wrk.format(nil, "/api/whatif", nil, body)
end

response = function(status, headers, body)
  if status ~= 200 then
    statuses[status] = (statuses[status] or 0) + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, non-2xx/3xx %d, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    summary.requests, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
