-- Adds to a budget's spend counter and returns the new total. KEYS[1]: the counter.
-- ARGV: the amount, the expiry in milliseconds (set once, when the counter is new: past the end of its period).
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return total
