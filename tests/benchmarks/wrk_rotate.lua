-- wrk script: request a list of paths in turn, count answers by status, and after the run
-- print one machine-readable line for harness.run_wrk().
-- Usage: wrk -t2 -c64 -d60s -s wrk_rotate.lua http://127.0.0.1:8000 -- /articles/ /healthz

local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = args
  counter = offset  -- each thread starts at a different path
  statuses = {}
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    table.insert(parts, string.format('"%s": %d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_s": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status_errors": %d, '
      .. '"statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status,
    table.concat(parts, ", ")))
end
