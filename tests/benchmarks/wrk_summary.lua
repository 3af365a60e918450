-- wrk script: after the run, print one machine-readable line for harness.run_wrk().
-- Usage: wrk -t2 -c32 -d10s -s wrk_summary.lua http://127.0.0.1:8000/articles/

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_s": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
