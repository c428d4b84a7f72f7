-- The slots held by live nodes, reclaiming those of dead ones (as slot_acquire.lua does).
-- KEYS[1]: the slot hash. ARGV: this node's id, the heartbeat key prefix.
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local node = fields[i]
  if node ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. node) == 0 then
    redis.call('HDEL', KEYS[1], node)
  else
    total = total + tonumber(fields[i + 1])
  end
end
return total
