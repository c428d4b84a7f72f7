-- GCRA charge without refusing: usage metered after admission; a negative cost refunds.
-- KEYS[1]: the rate counter (TAT in microseconds). ARGV: now (us), emission interval (us), cost (units).
-- Returns the stored TAT.
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local stored = math.max(math.max(tat, now) + cost * interval, now)
redis.call('SET', KEYS[1], string.format('%d', stored), 'PX', math.floor((stored - now) / 1000) + 60000)
return stored
