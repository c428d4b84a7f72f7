-- Takes one concurrency slot if one is free. KEYS[1]: a hash of node id -> slots that node holds.
-- ARGV: this node's id, the limit, the heartbeat key prefix ('sb:node:').
-- Slots of a node whose heartbeat key is gone (it died) are reclaimed first. Returns 1 if taken, else 0.
-- (The heartbeat keys are read by name: this needs a standalone Redis or one hash slot, not Redis Cluster.)
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local node = fields[i]
  if node ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. node) == 0 then
    redis.call('HDEL', KEYS[1], node)
  else
    total = total + tonumber(fields[i + 1])
  end
end
if total >= tonumber(ARGV[2]) then
  return 0
end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return 1
