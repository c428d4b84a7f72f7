-- Gives back one slot this node holds. KEYS[1]: the slot hash; ARGV[1]: this node's id.
-- Never below zero: a slot reclaimed while this node was cut off from Redis is not given back twice.
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return math.max(n, 0)
