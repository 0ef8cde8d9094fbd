-- wrk script for a person's message: POST /api/v1/channels/{channelId}/messages (client API,
-- Authorization: Bearer <session token>); every request is a new durable message (201).
-- Usage: wrk ... -s bench/person_send.lua BASE_URL -- <channelId> <sessionToken>
function init(args)
  wrk.method = "POST"
  wrk.path = "/api/v1/channels/" .. args[1] .. "/messages"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.body = '{"text":"bench"}'
end
