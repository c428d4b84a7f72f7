-- GCRA take, all or nothing (dev.switchboard.broker.guardrail.RedisUsageStore#take).
-- KEYS[1]: the rate counter, holding its theoretical arrival time (TAT) in microseconds since the epoch.
-- ARGV: now (us), emission interval (us), cost (units, >= 0), window (us: one minute).
-- Returns {1, stored TAT} when the cost fits (and stores it), else {0, max(TAT, now)} and stores nothing.
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local base = math.max(tat, now)
local next = base + cost * interval
if next - now > window then
  return {0, base}
end
local stored = math.max(next, now)
-- The counter is whole again at the stored TAT; a minute more keeps it across clock differences between nodes.
redis.call('SET', KEYS[1], string.format('%d', stored), 'PX', math.floor((stored - now) / 1000) + 60000)
return {1, stored}
