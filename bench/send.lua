-- wrk script for POST /IMessages/v1/Send: every request carries a fresh randomId, so every
-- request creates (and durably commits) a new message instead of hitting the de-duplication path.
-- Usage: wrk ... -s bench/send.lua URL -- <channelId> <botToken> <phase>
--   phase: a small integer distinct for each wrk run against the same data dir (warm-up, c100, c10…)

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  channel = args[1]
  token = args[2]
  phase = tonumber(args[3] or "0")
  -- randomId = phase * 1e12 + tid * 1e9 + n: unique across threads and runs, exact in a double.
  base = phase * 1000000000000 + tid * 1000000000
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bot " .. token
  prefix = '{"channelId":"' .. channel .. '","text":"bench","randomId":'
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, prefix .. string.format("%d", base + counter) .. "}")
end
