-- Machine-readable summary of one wrk run, printed after wrk's own report.
-- Only done() is defined, so wrk keeps its static (pre-built) request and
-- this script costs nothing while the test runs.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKSUM requests=%d bytes=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d " ..
    "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, summary.bytes, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
