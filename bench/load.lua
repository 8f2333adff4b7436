-- Posts the corpus: each line of BENCH_CORPUS is "User-Agent<TAB>body"; each thread
-- starts at its own offset and cycles. BENCH_DELAY_MS (mean, exponential) paces each
-- connection for the runs below the maximum rate. done() prints one JSON line.
local corpus_path = os.getenv("BENCH_CORPUS")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local threads = 0
local requests = {}
local index = 1

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  for line in io.lines(corpus_path) do
    local tab = line:find("\t", 1, true)
    local ua = line:sub(1, tab - 1)
    local body = line:sub(tab + 1)
    requests[#requests + 1] = wrk.format("POST", "/__deco/rum",
      {["Content-Type"] = "text/plain;charset=UTF-8", ["User-Agent"] = ua}, body)
  end
  index = (math.floor(#requests / 2) * ((id or 1) - 1)) % #requests + 1
  math.randomseed(1234 + (id or 1))
end

function request()
  local r = requests[index]
  index = index % #requests + 1
  return r
end

if delay_ms > 0 then
  function delay()
    return math.floor(-math.log(1 - math.random()) * delay_ms)
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
