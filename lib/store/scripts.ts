/**
 * The store's atomic steps, as Lua run inside Redis: each reads Redis's own `TIME`, so instances
 * with skewed clocks agree on open periods and lease expiry (docs/architecture.md, "Shared state").
 * Every script answers a JSON string, the one reply shape that reads the same under RESP2 and RESP3.
 */

const NOW = `
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function read_state(key)
  local fields = redis.call('HGETALL', key)
  if #fields == 0 then return nil end
  local state = {}
  for index = 1, #fields, 2 do state[fields[index]] = fields[index + 1] end
  for _, name in ipairs({ 'version', 'openedAt', 'halfOpenAt', 'backoffSteps' }) do
    if state[name] then state[name] = tonumber(state[name]) end
  end
  return state
end
`;

/**
 * A breaker's transition. KEYS: state, versions, trials, trial counts. ARGV: the version it
 * follows ('' for a person's action, which always applies), state, openMs, backoffSteps, origin,
 * channel, name. A new version ends the period's trial leases and counts.
 */
export const TRANSITION = `${NOW}
local current = read_state(KEYS[1])
local current_version = current and current.version or 0
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= current_version then
  return cjson.encode({ applied = false, state = current or cjson.null })
end
local now = now_ms()
local version = redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
local state = { version = version, state = ARGV[2], origin = ARGV[5] }
if ARGV[2] == 'OPEN' then
  state.openedAt = now
  state.halfOpenAt = now + tonumber(ARGV[3])
  state.backoffSteps = tonumber(ARGV[4])
end
for field, value in pairs(state) do redis.call('HSET', KEYS[1], field, value) end
redis.call('PUBLISH', ARGV[6], cjson.encode({ type = 'state', name = ARGV[7], state = state, origin = ARGV[5] }))
return cjson.encode({ applied = true, state = state })
`;

/**
 * A trial slot of the HALF_OPEN that follows an OPEN. KEYS: state, trials, fence. ARGV: the OPEN's
 * version, halfOpenMaxCalls, lease ms. Answers a fencing token, a refusal, or the current state
 * when the OPEN asked about is not the current one.
 */
export const ACQUIRE_TRIAL = `${NOW}
local current = read_state(KEYS[1])
if not current or current.version ~= tonumber(ARGV[1]) or current.state ~= 'OPEN' then
  return cjson.encode({ stale = current or cjson.null })
end
local now = now_ms()
local lease_ms = tonumber(ARGV[3])
if now < current.halfOpenAt then return cjson.encode({ refused = 'early' }) end
if now >= current.halfOpenAt + lease_ms then return cjson.encode({ refused = 'over' }) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return cjson.encode({ refused = 'full' }) end
local token = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[2], now + lease_ms, token)
redis.call('PEXPIRE', KEYS[2], lease_ms * 2)
return cjson.encode({ token = token })
`;

/**
 * A trial settled. KEYS: state, trials, trial counts. ARGV: the OPEN's version, token, outcome
 * (success, failure, ignored), slow ('1' or '0'). Only a trial whose lease is unexpired and whose
 * OPEN is still current counts; it answers the period's counts, or null when it counted nothing.
 */
export const SETTLE_TRIAL = `${NOW}
local expiry = redis.call('ZSCORE', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
if not expiry or tonumber(expiry) <= now_ms() then return cjson.encode({ counts = cjson.null }) end
local current = read_state(KEYS[1])
if not current or current.version ~= tonumber(ARGV[1]) or ARGV[3] == 'ignored' then
  return cjson.encode({ counts = cjson.null })
end
redis.call('HINCRBY', KEYS[3], ARGV[3] == 'success' and 'successes' or 'failures', 1)
if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[3], 'slowCalls', 1) end
redis.call('PEXPIRE', KEYS[3], 86400000)
local counts = redis.call('HMGET', KEYS[3], 'successes', 'failures', 'slowCalls')
return cjson.encode({ counts = {
  successes = tonumber(counts[1] or '0'), failures = tonumber(counts[2] or '0'), slowCalls = tonumber(counts[3] or '0')
} })
`;

/**
 * Write the fleet's configuration. KEYS: breakers, endpoints, seeded, scenarios, playback. ARGV:
 * mode ('seed': only into an empty store; 'reset': replace everything), the configuration as JSON
 * (`{ breakers, endpoints, scenarios }`, each a list of [name, JSON] pairs, stored as given), the
 * prefix of breaker-state keys, channel, origin. A reset ends every breaker's shared state and the
 * playback; the version counter lives on, so versions keep growing across resets.
 */
export const WRITE_CONFIG = `
if ARGV[1] == 'seed' and redis.call('EXISTS', KEYS[3]) == 1 then return cjson.encode({ written = false }) end
for _, name in ipairs(redis.call('HKEYS', KEYS[1])) do
  redis.call('DEL', ARGV[3] .. 'state:' .. name, ARGV[3] .. 'trials:' .. name, ARGV[3] .. 'trialcounts:' .. name)
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4], KEYS[5])
local config = cjson.decode(ARGV[2])
for _, entry in ipairs(config.breakers) do redis.call('HSET', KEYS[1], entry[1], entry[2]) end
for _, entry in ipairs(config.endpoints) do redis.call('HSET', KEYS[2], entry[1], entry[2]) end
for _, entry in ipairs(config.scenarios) do redis.call('HSET', KEYS[4], entry[1], entry[2]) end
redis.call('SET', KEYS[3], '1')
if ARGV[1] == 'reset' then
  redis.call('PUBLISH', ARGV[4], cjson.encode({ type = 'reset', origin = ARGV[5] }))
end
return cjson.encode({ written = true })
`;

/**
 * Say this instance is alive and read the fleet. KEYS: instances, playback. ARGV: instance id, how
 * long a member counts as present (ms), the playback this instance drives ('' for none) and its
 * lease (ms). Answers Redis's time, the members heard from within it, and the playback.
 */
export const HEARTBEAT = `${NOW}
local now = now_ms()
local window = tonumber(ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'PX', tonumber(ARGV[4])) end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window * 6)
local seen = redis.call('ZRANGEBYSCORE', KEYS[1], now - window, '+inf', 'WITHSCORES')
local members = {}
for index = 1, #seen, 2 do table.insert(members, { id = seen[index], seenAt = tonumber(seen[index + 1]) }) end
return cjson.encode({ now = now, members = members, playback = redis.call('GET', KEYS[2]) or cjson.null })
`;
