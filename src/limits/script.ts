/**
 * The one Lua script behind every store round trip: all token buckets of a
 * request checked and charged (all or none) and every distinct-account counter
 * updated, atomically. A port of `evaluate()` in bucket.ts; keep both equal.
 *
 * KEYS: the bucket keys (nb of them), then two keys per counter (its two
 *       half-window HyperLogLogs, slot 0 then slot 1), then the request's
 *       manual block keys (nk of them), then the over-limit registry (when nt > 0).
 * ARGV[1]  mode: "take" or "adjust" (post-charge: each bucket charged its cost
 *          unconditionally, at most capacity, keeping the whole debt down to
 *          -MAX_DEBT (1,000) capacities; no counters)
 * ARGV[2]  the clock in ms, or "" to read the Redis clock (TIME)
 * ARGV[3]  nb, ARGV[4] nc
 * then per bucket: capacity, refillPerSecond, cost, when-counter (1-based, 0: always applies), when-above,
 *      and-counter (1-based, 0: none), and-above (the bucket applies when both counters are above)
 * then per counter: member, windowSeconds, kind (1: a counter many accounts add to, whose
 *      proven members are kept apart with a proven marker; 0: one account's own counter;
 *      "n<ms>": a cohort counter, shared, that counts and judges only a key first seen less
 *      than <ms> ago, and is 0 for any other key)
 * then nk (optional, 0 when absent): the number of block keys
 * then nt (optional, 0 when absent): the number of tracked counters, and per
 *      one: its 1-based counter index, the count it is over its limit above,
 *      and-counter (1-based, 0: none), and-above (listed only when both are above)
 * then np (optional, 0 when absent): 1 when the request's proven marker
 *      (proven.ts) follows the registry in KEYS, 2 to write it first (the origin
 *      accepted the key since its last take) with its TTL in ms next in ARGV;
 *      after the marker in KEYS come two more keys per counter
 *      (the proven members' half-window HyperLogLogs, slot 0 then slot 1). Every
 *      key is counted in a counter's everyone slots; a proven key (its marker
 *      exists) also in a shared counter's proven slots, and its count is the
 *      proven members' (keys the origin never accepted cannot push a cluster of
 *      its customers over the limit). An unproven key's count is everyone's (a farm's fresh
 *      keys are judged together), and buckets whose when-counter is -1 apply to
 *      it (the unproven bucket). The reply ends with proven (1/0).
 * then ns (optional, 0 when absent): 1 when the key's first-seen record
 *      (first-seen.ts) follows in KEYS (after the proven slots, or in their
 *      place), with its TTL in ms next in ARGV. The record is "<first ms>
 *      <written ms>": created by the key's first take, written again (first
 *      time kept) once half its TTL has passed since the last write, so an
 *      active key keeps its age. The reply ends with the key's age in ms.
 *
 * A bucket is a string "<tokens> <atMs>" written with SET PX (value and TTL in
 * one command); its TTL is the time to refill fully, at least 1 s (a full
 * bucket equals a missing one), so a bucket in debt lives until the debt is
 * waited off; the TTL is passed as an integer string (a Lua number would be
 * sent in exponent form past 1e14). Counter slots expire at the end of the half
 * window after their own (set when PFADD creates or changes a slot: a slot that
 * exists already got its TTL, the same for the whole half window, when it was
 * created). A tracked counter above its limit is put in the
 * registry (a sorted set: member the counter's key without its slot suffix,
 * score when its current slot expires); the registry drops expired members and
 * expires with its last one.
 *
 * A manual block (blocks.ts) is checked first, with one EXISTS over every
 * block key (blocks are rare: a PTTL per key only when one exists): when any
 * block key exists the script charges and counts nothing and returns {-1,
 * nowMs, the block key's 1-based index, its PTTL in ms}.
 *
 * Otherwise returns {allowed, nowMs, then per bucket: applied (0/1), remaining tokens in
 * thousandths (floored), ms until full (-1: never), ms until the cost fits
 * (-1: never), then per counter: its distinct count}. Integers only, so every
 * client (and the REST encoding) reads them alike.
 *
 * TIME before writes needs effects replication: the default since Redis 5
 * (3.2 and 4 would need redis.replicate_commands()); the "worker" clock avoids it.
 */
/** The scripts' clock: ARGV[2] in ms (the Worker's), or "" for Redis TIME, as `now`. */
export const CLOCK_LUA = `local now = tonumber(ARGV[2])
if not now then
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

export const LIMIT_SCRIPT = `local mode = ARGV[1]
${CLOCK_LUA}local nb = tonumber(ARGV[3])
local nc = tonumber(ARGV[4])
local NO_REFILL_TTL_MS = 86400000
local MAX_DEBT = 1000

local nk = tonumber(ARGV[5 + nb * 7 + nc * 3]) or 0
if nk > 0 and redis.call("EXISTS", unpack(KEYS, nb + 2 * nc + 1, nb + 2 * nc + nk)) > 0 then
  for i = 1, nk do
    local ttl = redis.call("PTTL", KEYS[nb + 2 * nc + i])
    if ttl ~= -2 then return {-1, now, i, ttl} end
  end
end

local tbase = 6 + nb * 7 + nc * 3
local nt = tonumber(ARGV[tbase]) or 0
local np = tonumber(ARGV[tbase + 4 * nt + 1]) or 0
local unproven = false
local pbase = 0
if np > 0 then
  local reg = 0
  if nt > 0 then reg = 1 end
  pbase = nb + 2 * nc + nk + reg + 1
  if np == 2 then
    redis.call("SET", KEYS[pbase], "1", "PX", ARGV[tbase + 4 * nt + 2])
  else
    unproven = redis.call("EXISTS", KEYS[pbase]) == 0
  end
end

local sarg = tbase + 4 * nt + 2
if np == 2 then sarg = sarg + 1 end
local ns = tonumber(ARGV[sarg]) or 0
local age = -1
if ns > 0 then
  local skey
  if np > 0 then skey = KEYS[pbase + 2 * nc + 1]
  else
    local reg = 0
    if nt > 0 then reg = 1 end
    skey = KEYS[nb + 2 * nc + nk + reg + 1]
  end
  local ttl = tonumber(ARGV[sarg + 1])
  local first, at = nil, nil
  local v = redis.call("GET", skey)
  if v then first, at = string.match(v, "^(%d+) (%d+)$") end
  first, at = tonumber(first), tonumber(at)
  if not first or not at or now - at >= ttl then first, at = now, nil end
  if not at or now - at >= ttl / 2 then
    redis.call("SET", skey, string.format("%d %d", first, now), "PX", string.format("%d", ttl))
  end
  age = math.max(0, now - first)
end

local counts = {}
local cbase = 4 + nb * 7
local by_proven = np > 0 and not unproven
local function add(k0, k1, member, idx, half, count)
  local cur, prev = k0, k1
  if idx % 2 == 1 then cur, prev = prev, cur end
  if redis.call("PFADD", cur, member) == 1 then redis.call("PEXPIRE", cur, (idx + 2) * half - now) end
  if count then return redis.call("PFCOUNT", cur, prev) end
  return 0
end
for i = 1, nc do
  local kind = ARGV[cbase + 3 * i]
  local cohort = string.sub(kind, 1, 1) == "n"
  if cohort and not (age >= 0 and age < tonumber(string.sub(kind, 2))) then
    counts[i] = 0
  else
    local member = ARGV[cbase + 3 * i - 2]
    local half = math.max(1, math.floor(tonumber(ARGV[cbase + 3 * i - 1]) * 1000 / 2))
    local idx = math.floor(now / half)
    local split = by_proven and kind ~= "0"
    counts[i] = add(KEYS[nb + 2 * i - 1], KEYS[nb + 2 * i], member, idx, half, not split)
    if split then counts[i] = add(KEYS[pbase + 2 * i - 1], KEYS[pbase + 2 * i], member, idx, half, true) end
  end
end

local function above(counter, count)
  if counter == -1 then return unproven end
  return counter == 0 or counts[counter] > count
end

local listed = false
for j = 1, nt do
  local t = tbase + 4 * j - 4
  local i = tonumber(ARGV[t + 1])
  if above(i, tonumber(ARGV[t + 2])) and above(tonumber(ARGV[t + 3]), tonumber(ARGV[t + 4])) then
    local half = math.max(1, math.floor(tonumber(ARGV[cbase + 3 * i - 1]) * 1000 / 2))
    local registry = KEYS[nb + 2 * nc + nk + 1]
    redis.call("ZADD", registry, (math.floor(now / half) + 2) * half, string.sub(KEYS[nb + 2 * i - 1], 1, -3))
    listed = true
  end
end
if listed then
  local registry = KEYS[nb + 2 * nc + nk + 1]
  redis.call("ZREMRANGEBYSCORE", registry, "-inf", now)
  local last = redis.call("ZRANGE", registry, -1, -1, "WITHSCORES")
  redis.call("PEXPIREAT", registry, last[2])
end

local states = {}
if nb > 0 then states = redis.call("MGET", unpack(KEYS, 1, nb)) end

local function reset_ms(tokens, cap, rate)
  if tokens >= cap then return 0 end
  if rate <= 0 then return -1 end
  return math.ceil((cap - tokens) * 1000 / rate)
end

local allowed = 1
local b = {}
for i = 1, nb do
  local a = 4 + (i - 1) * 7
  local cap, rate, cost = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local tokens, at, existed = cap, now, false
  if states[i] then
    local t, ts = string.match(states[i], "^(%S+) (%S+)$")
    t, ts = tonumber(t), tonumber(ts)
    if t and ts then
      existed = true
      tokens = math.min(cap, t + math.max(0, now - ts) * rate / 1000)
      at = math.max(ts, now)
    end
  end
  local applied = above(tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])) and above(tonumber(ARGV[a + 6]), tonumber(ARGV[a + 7]))
  local retry = 0
  if mode == "take" and applied and cost > 0 then
    if cost > cap then retry = -1
    elseif tokens >= cost then retry = 0
    elseif rate <= 0 then retry = -1
    else retry = math.ceil((cost - tokens) * 1000 / rate) end
    if retry ~= 0 then allowed = 0 end
  end
  b[i] = {cap = cap, rate = rate, cost = cost, tokens = tokens, at = at, existed = existed, applied = applied, retry = retry}
end

local function write(i, s)
  local ttl = NO_REFILL_TTL_MS
  if s.rate > 0 then ttl = math.max(1000, reset_ms(s.tokens, s.cap, s.rate)) end
  redis.call("SET", KEYS[i], string.format("%.17g %.17g", s.tokens, s.at), "PX", string.format("%d", ttl))
end

for i = 1, nb do
  local s = b[i]
  if mode == "adjust" then
    s.tokens = math.max(-MAX_DEBT * s.cap, math.min(s.cap, s.tokens - s.cost))
    if s.tokens >= s.cap then
      if s.existed then redis.call("DEL", KEYS[i]) end
    else
      write(i, s)
    end
  elseif allowed == 1 and s.applied and s.cost > 0 then
    s.tokens = s.tokens - s.cost
    write(i, s)
  end
end

local out = {allowed, now}
for i = 1, nb do
  local s = b[i]
  local applied = 0
  if s.applied then applied = 1 end
  table.insert(out, applied)
  table.insert(out, math.floor(s.tokens * 1000))
  table.insert(out, reset_ms(s.tokens, s.cap, s.rate))
  table.insert(out, s.retry)
end
for i = 1, nc do table.insert(out, counts[i]) end
if np > 0 then
  if unproven then table.insert(out, 0) else table.insert(out, 1) end
end
if ns > 0 then table.insert(out, age) end
return out
`;

/** SHA-1 of LIMIT_SCRIPT, for EVALSHA. A test recomputes it: edit the script, update this. */
export const LIMIT_SCRIPT_SHA1 = "780f4812f1947e51a110ade6ba1f6417dfbde5fc";
