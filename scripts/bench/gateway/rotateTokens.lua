-- wrk script of the gateway benchmark (scripts/bench/gateway/wrk.ts): every request POSTs the
-- same GraphQL body with the next bearer token of a file (one token a line), so that no two
-- requests in a row are alike and no gateway can answer many clients with one execution.
-- Arguments: <tokens file> <body file>. A response that is not 200, or that carries GraphQL
-- errors, is counted; done() prints the count as "bench-errors <n>", and how many requests were
-- sent (those still in flight when the time is up included) as "bench-sent <n>", and the first
-- failed answer (status and start of the body) as "bench-first-error <text>".

local threads = {}
local tokens = {}
local body = nil
local next_token = 0
errors = 0
sent = 0
first_error = nil

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = "Bearer " .. line end
  end
  local file = assert(io.open(args[2], "rb"))
  body = file:read("*a")
  file:close()
  -- Threads start at different places in the list, so that together they still rotate through it.
  next_token = (thread_index * 7919) % #tokens
end

function request()
  next_token = next_token % #tokens + 1
  sent = sent + 1
  return wrk.format("POST", nil, { ["content-type"] = "application/json", ["authorization"] = tokens[next_token] }, body)
end

function response(status, headers, response_body)
  if status ~= 200 or string.find(response_body, '"errors"', 1, true) then
    errors = errors + 1
    if first_error == nil then first_error = status .. " " .. string.sub(response_body, 1, 300):gsub("\n", " ") end
  end
end

function done(summary, latency, requests)
  local failed, total_sent = 0, 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("errors")
    total_sent = total_sent + thread:get("sent")
  end
  io.write(string.format("bench-errors %d\nbench-sent %d\n", failed, total_sent))
  for _, thread in ipairs(threads) do
    local first = thread:get("first_error")
    if first ~= nil then
      io.write("bench-first-error " .. first .. "\n")
      break
    end
  end
end
