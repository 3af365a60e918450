-- wrk script: request a list of paths in turn, count answers by status, and after the run
-- print one machine-readable line for harness.run_wrk().
-- Usage: wrk -t2 -c64 -d60s -s wrk_rotate.lua http://127.0.0.1:8000 -- /articles/ /healthz
--
-- Options may come before the paths (which all start with "/"):
--   max=N   each thread stops after N answers (a bound on the count besides wrk's -d)
--   junk    add a made-up parameter to every request, ?utm_<10 random characters>=1, which
--           no page reads (load_bench.py --scenario junk-params)

local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  limit = nil
  junk = false
  for _, arg in ipairs(args) do
    if arg:sub(1, 4) == "max=" then
      limit = tonumber(arg:sub(5))
    elseif arg == "junk" then
      junk = true
    else
      table.insert(paths, arg)
    end
  end
  counter = offset  -- each thread starts at a different path
  answers = 0
  statuses = {}
  math.randomseed(os.time() * 1000 + offset)
end

local ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

local function junk_parameter()
  local chars = {}
  for i = 1, 10 do
    local k = math.random(1, #ALPHABET)
    chars[i] = ALPHABET:sub(k, k)
  end
  return "utm_" .. table.concat(chars) .. "=1"
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  if junk then
    local separator = path:find("?", 1, true) and "&" or "?"
    path = path .. separator .. junk_parameter()
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  answers = answers + 1
  if limit and answers >= limit then
    wrk.thread:stop()
  end
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
