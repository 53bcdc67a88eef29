-- wrk script for bench/load.py: sends the pre-signed requests of a file in turn (one per line:
-- timestamp, signature, form body, tab-separated), counts answers that are not a 200 carrying the
-- expected text, and prints the figures as one JSON line at the end.
local requests = {}
local index = 0
local missing = 0
local expect = ""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expect = args[2]
  local file = io.open(args[1], "r")
  for line in file:lines() do
    local stamp, signature, body = line:match("^(%d+)\t([^\t]+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/slack/events", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Slack-Request-Timestamp"] = stamp,
      ["X-Slack-Signature"] = signature,
    }, body)
  end
  file:close()
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  if status ~= 200 or not body:find(expect, 1, true) then
    missing = missing + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("missing") or 0)
  end
  io.write(string.format('{"requests": %d, "seconds": %f, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "bad": %d, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
