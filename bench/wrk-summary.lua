-- Machine-readable summary of one wrk run, printed after wrk's own report.
-- Only done() is defined, so wrk keeps its static (pre-built) request and
-- this script costs nothing while the test runs.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKSUM requests=%.0f bytes=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f " ..
    "err_connect=%.0f err_read=%.0f err_write=%.0f err_status=%.0f err_timeout=%.0f\n",
    summary.requests, summary.bytes, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
