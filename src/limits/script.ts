/**
 * The one Lua script behind every store round trip: all token buckets of a
 * request checked and charged (all or none) and every distinct-account counter
 * updated, atomically, after the post-charges of earlier takes it carries
 * (settlements). A port of `settle()` and `evaluate()` in bucket.ts; keep them equal.
 *
 * KEYS: the bucket keys (nb of them, one per bucket: the buckets of one client
 *       on one route share a key, so a key may repeat), then three keys per
 *       counter (its record, then its two half-window HyperLogLogs, slot 0
 *       then slot 1: the counters of one cluster share a record, so a record
 *       may repeat), then the request's manual block keys (nk of them), then
 *       the over-limit registry (when nt > 0).
 * ARGV[1]  nset: the first nset buckets are settlements (post-charges: each charged
 *          its cost unconditionally, at most capacity, keeping the whole debt
 *          down to -MAX_DEBT (1,000) capacities), applied first, whatever
 *          follows
 * ARGV[2]  the clock in ms, or "" to read the Redis clock (TIME)
 * ARGV[3]  nb (settlements included), ARGV[4] nc
 * then per bucket: capacity, refillPerSecond, cost, then for a take: when-counter
 *      (1-based, 0: always applies), when-above, and-counter (1-based, 0: none),
 *      and-above (the bucket applies when both counters are above); for a
 *      settlement: 0, 0, 0, 0; then its field (its name in its key)
 * then per counter: member (a short token: upstash-store.ts memberToken), windowSeconds,
 *      kind (1: a counter many accounts add to, whose proven members are kept apart with a
 *      proven marker; 0: one account's own counter; "n<ms>": a cohort counter, shared, that
 *      counts and judges only a key first seen less than <ms> ago, and is 0 for any other
 *      key), field (its name in its record, "-" for a counter alone in its record)
 * then nk (optional, 0 when absent): the number of block keys
 * then nt (optional, 0 when absent): the number of tracked counters, and per
 *      one: its 1-based counter index, the count it is over its limit above,
 *      and-counter (1-based, 0: none), and-above (listed only when both are above)
 * then np (optional, 0 when absent): 1 when the request's proven marker
 *      (proven.ts) follows the registry in KEYS, 2 to write it first (the origin
 *      accepted the key since its last take) with its TTL in ms next in ARGV;
 *      after the marker in KEYS come two more keys per counter
 *      (the proven members' half-window HyperLogLogs, slot 0 then slot 1; their
 *      record is the counter's, under the field "<field>!"). Every
 *      key is counted among a counter's everyone; a proven key (its marker
 *      exists) also among a shared counter's proven members, and its count is the
 *      proven members' (keys the origin never accepted cannot push a cluster of
 *      its customers over the limit). An unproven key's count is everyone's (a farm's fresh
 *      keys are judged together), and buckets whose when-counter is -1 apply to
 *      it (the unproven bucket). The reply ends with proven (1/0).
 * then ns (optional, 0 when absent): 1 when the key's first-seen record
 *      (first-seen.ts) and the store's recording epoch follow in KEYS (after
 *      the proven slots, or in their place), with their TTL in ms next in
 *      ARGV. Each is "<first ms> <written ms>": created by the first take
 *      that reads it, written again (first time kept) once half its TTL has
 *      passed since the last write, so an active key keeps its age. The reply
 *      ends with the key's age in ms and how long the epoch had been recording
 *      when the key was first seen (a key is new only for a threshold no
 *      longer than that: before, it may be a customer from before the records).
 *
 * then nh (optional, 0 when absent): the number of tallies (tally.ts), and per
 *      one: its field, its half-life in ms, and 1 when this request is a hit (0
 *      otherwise); their keys are the last nh KEYS. A tally is a field of a bucket
 *      key ("<field> <hits> <requests> <until>", until: its last request + 4
 *      half-lives), usually the account's own: read and written with its
 *      buckets. Each take that is not blocked adds its request, the older ones
 *      halved every half-life; the reply ends with each one's hits and requests
 *      in thousandths (floored).
 *
 * The bucket keys (tallies' included), the block keys, the proven marker, the first-seen
 * record and the counters' records are read with one MGET. A bucket key is a string "<field> <tokens> <atMs> <fullAtMs>" per
 * bucket it holds, written once per script with SET PX (value and TTL in one
 * command) when one of its buckets changed; each bucket lives until it is full
 * again (fullAtMs: at least 1 s after its last write; a full bucket equals a
 * missing one), the key as long as its longest-lived bucket, so a bucket in
 * debt lives until the debt is waited off; the TTL is passed as an integer
 * string (a Lua number would be sent in exponent form past 1e14).
 *
 * A distinct counter is two sets of members, one per half window (index
 * floor(now / half)): the current one and the previous one, its count their
 * union. They live in the counter's record, a string "<field> <index> <half>
 * <current> <previous>" per counter it holds, each set a list of members
 * ("m1,m2", "-" when empty) of at most COUNTER_CAP. A member already in the
 * current list costs no command; a new one is added to the list, and the
 * record is written once per script with SET PX (when one of its counters
 * changed), living until the end of the half window after its newest one's.
 * A record of the previous half window rolls over (its current list becomes
 * the previous one); an older one is empty. So a counter costs no command
 * beyond the MGET, and at most one shared SET per record. A counter whose
 * current list is full spills into its two HyperLogLog slots (both emptied
 * with DEL, each list PFADDed into its slot, each slot's PEXPIRE at the end of
 * the half window after its own), and stays there while it is used (a record
 * two half windows old starts again with lists): its record then holds
 * "*<count>" ("*" when unknown) and "*"; the first write of a half window
 * empties its slot (DEL: a slot two half windows old is gone whatever the
 * clocks and expiry say); a member is PFADDed
 * (PEXPIRE again whenever it changes the slot: a slot is never left without a
 * TTL, even one evicted and created again), and PFCOUNT runs only when the
 * slot changed or the count is unknown. The record says which half window it
 * is of, so the count read from it is everyone's, whichever isolate added last.
 * A tracked counter above its limit is put in the
 * registry (a sorted set: member "<record> <field>", score when its current
 * half window's set expires); the registry drops expired members and
 * expires with its last one.
 *
 * A manual block (blocks.ts) is checked after the settlements (blocks are
 * rare: a PTTL only for a block key that exists): when one exists the script
 * charges and counts nothing and returns {-1, nowMs, the block key's 1-based
 * index, its PTTL in ms}.
 *
 * Otherwise returns {allowed, nowMs, then per bucket but the settlements: applied (0/1), remaining tokens in
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

/**
 * Counter records (see above), shared with the admin script: COUNTER_CAP, and
 * read_counters(value) → field → {idx, half, cur, prev} (expired fields
 * dropped), current(entry, half) → the entry in the current half window
 * (rolled over, or new; "rolled" when spilled and rolled over: its current
 * slot is to be emptied before its first write), members(list) → set, size, and list_count(entry):
 * the union's size of a list entry. Needs `now`.
 */
export const COUNTER_LUA = `local COUNTER_CAP = 32
local function read_counters(v)
  local fields = {}
  if v then
    for f, idx, half, cur, prev in string.gmatch(v, "(%S+) (%S+) (%S+) (%S+) (%S+)") do
      idx, half = tonumber(idx), tonumber(half)
      if idx and half and (idx + 2) * half > now then fields[f] = {idx = idx, half = half, cur = cur, prev = prev} end
    end
  end
  return fields
end
local function spilled(list) return string.sub(list, 1, 1) == "*" end
-- an entry of this half window (or of a clock ahead) as it is; of the previous one rolled over; else a new one
local function current(e, half)
  local j = math.floor(now / half)
  if e and e.half == half and e.idx >= j then return e end
  if e and e.half == half and e.idx == j - 1 then
    if spilled(e.cur) then return {idx = j, half = half, cur = "*", prev = "*", rolled = true} end
    return {idx = j, half = half, cur = "-", prev = e.cur}
  end
  return {idx = j, half = half, cur = "-", prev = "-"}
end
local function members(list)
  local set, n = {}, 0
  if list ~= "-" then
    for m in string.gmatch(list, "[^,]+") do
      if not set[m] then set[m], n = true, n + 1 end
    end
  end
  return set, n
end
local function list_count(e)
  local cur, n = members(e.cur)
  local prev = members(e.prev)
  for m in pairs(prev) do
    if not cur[m] then n = n + 1 end
  end
  return n
end
`;

export const LIMIT_SCRIPT = `local nset = tonumber(ARGV[1])
${CLOCK_LUA}${COUNTER_LUA}local nb = tonumber(ARGV[3])
local nc = tonumber(ARGV[4])
local NO_REFILL_TTL_MS = 86400000
local MAX_DEBT = 1000

local nk = tonumber(ARGV[5 + nb * 8 + nc * 4]) or 0
local tbase = 6 + nb * 8 + nc * 4
local nt = tonumber(ARGV[tbase]) or 0
local np = tonumber(ARGV[tbase + 4 * nt + 1]) or 0
local pbase = 0
if np > 0 then
  local reg = 0
  if nt > 0 then reg = 1 end
  pbase = nb + 3 * nc + nk + reg + 1
end

local sarg = tbase + 4 * nt + 2
if np == 2 then sarg = sarg + 1 end
local ns = tonumber(ARGV[sarg]) or 0
local skey, ekey
if ns > 0 then
  local at = pbase + 2 * nc + 1
  if np == 0 then
    local reg = 0
    if nt > 0 then reg = 1 end
    at = nb + 3 * nc + nk + reg + 1
  end
  skey, ekey = KEYS[at], KEYS[at + 1]
end
-- tallies (ARGV after the first-seen section): the last nh KEYS
local harg = sarg + 1
if ns > 0 then harg = sarg + 2 end
local nh = tonumber(ARGV[harg]) or 0
local hkey = #KEYS - nh

-- One read for the bucket keys (each once), the block keys, the proven marker, the first-seen record and the
-- counters' records (each once).
local reads, bucket_keys = {}, {}
for i = 1, nb do
  if not bucket_keys[KEYS[i]] then
    table.insert(reads, KEYS[i])
    bucket_keys[KEYS[i]] = {at = #reads}
  end
end
for j = 1, nh do
  local k = KEYS[hkey + j]
  if not bucket_keys[k] then
    table.insert(reads, k)
    bucket_keys[k] = {at = #reads}
  end
end
local nkeys = #reads
for i = 1, nk do table.insert(reads, KEYS[nb + 3 * nc + i]) end
local marker_at, seen_at = 0, 0
if np == 1 then
  table.insert(reads, KEYS[pbase])
  marker_at = #reads
end
if ns > 0 then
  table.insert(reads, skey)
  table.insert(reads, ekey)
  seen_at = #reads - 1
end
local records = {}
for i = 1, nc do
  local k = KEYS[nb + 3 * i - 2]
  if not records[k] then
    table.insert(reads, k)
    records[k] = {at = #reads, changed = false}
  end
end
local values = {}
if #reads > 0 then values = redis.call("MGET", unpack(reads)) end
for _, r in pairs(records) do r.fields = read_counters(values[r.at]) end

-- A bucket key's value: "<field> <tokens> <atMs> <fullAtMs>" per bucket it holds; a bucket full by now is gone.
for n = 1, nkeys do
  local g = bucket_keys[reads[n]]
  g.fields, g.existed, g.changed = {}, values[n] ~= false, false
  if values[n] then
    for f, t, ts, full in string.gmatch(values[n], "(%S+) (%S+) (%S+) (%S+)") do
      t, ts, full = tonumber(t), tonumber(ts), tonumber(full)
      if t and ts and full and full > now then g.fields[f] = {tokens = t, at = ts, full = full} end
    end
  end
end
local function field(i) return ARGV[4 + i * 8] end
local function stored(i) return bucket_keys[KEYS[i]].fields[field(i)] end

local function reset_ms(tokens, cap, rate)
  if tokens >= cap then return 0 end
  if rate <= 0 then return -1 end
  return math.ceil((cap - tokens) * 1000 / rate)
end
-- a bucket's tokens and time at t (a missing bucket is full)
local function refill(s, cap, rate, t)
  if not s then return cap, t end
  return math.min(cap, s.tokens + math.max(0, t - s.at) * rate / 1000), math.max(s.at, t)
end
-- a bucket's new state; it lives until full again (at least 1 s), a full one goes
local function put(i, cap, rate, tokens, at)
  local g = bucket_keys[KEYS[i]]
  if tokens >= cap then
    if g.fields[field(i)] then g.changed = true end
    g.fields[field(i)] = nil
    return
  end
  local ttl = NO_REFILL_TTL_MS
  if rate > 0 then ttl = math.max(1000, reset_ms(tokens, cap, rate)) end
  g.fields[field(i)] = {tokens = tokens, at = at, full = now + ttl}
  g.changed = true
end
-- each changed bucket key written once, living as long as its longest-lived bucket
local function write_buckets()
  for n = 1, nkeys do
    local g = bucket_keys[reads[n]]
    if g.changed then
      local parts, last = {}, 0
      for f, s in pairs(g.fields) do
        table.insert(parts, string.format("%s %.17g %.17g %d", f, s.tokens, s.at, s.full))
        last = math.max(last, s.full)
      end
      if #parts > 0 then
        redis.call("SET", reads[n], table.concat(parts, " "), "PX", string.format("%d", last - now))
      elseif g.existed then
        redis.call("DEL", reads[n])
      end
    end
  end
end

-- Settlements first (whatever follows): charged unconditionally, keeping the whole debt down to -MAX_DEBT capacities.
for i = 1, nset do
  local a = 4 + (i - 1) * 8
  local cap, rate, delta = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local tokens, at = refill(stored(i), cap, rate, now)
  put(i, cap, rate, math.max(-MAX_DEBT * cap, math.min(cap, tokens - delta)), at)
end

for i = 1, nk do
  if values[nkeys + i] then
    local ttl = redis.call("PTTL", KEYS[nb + 3 * nc + i])
    if ttl ~= -2 then
      write_buckets()
      return {-1, now, i, ttl}
    end
  end
end

local unproven = false
if np == 2 then
  redis.call("SET", KEYS[pbase], "1", "PX", ARGV[tbase + 4 * nt + 2])
elseif np == 1 then
  unproven = not values[marker_at]
end

local age, watched = -1, 0
if ns > 0 then
  local ttl = tonumber(ARGV[sarg + 1])
  -- "<first ms> <written ms>", written again (first kept) once half its TTL has passed; expired by its own clock
  local function record(key, v)
    local first, at = nil, nil
    if v then first, at = string.match(v, "^(%d+) (%d+)$") end
    first, at = tonumber(first), tonumber(at)
    if not first or not at or now - at >= ttl then first, at = now, nil end
    if not at or now - at >= ttl / 2 then
      redis.call("SET", key, string.format("%d %d", first, now), "PX", string.format("%d", ttl))
    end
    return first
  end
  local since = record(ekey, values[seen_at + 1])
  local first = record(skey, values[seen_at])
  age = math.max(0, now - first)
  watched = math.max(0, first - since)
end

-- Tallies (tally.ts): "<field> <hits> <requests> <until>" in a bucket key, halved every half-life, gone at
-- until (the last request + 4 half-lives); each adds this request
local tallied = {}
for j = 1, nh do
  local a = harg + 3 * j - 2
  local f, hl, hit = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local g = bucket_keys[KEYS[hkey + j]]
  local s, hits, requests, at = g.fields[f], hit, 1, now
  if s then
    local last = s.full - 4 * hl
    local keep = 2 ^ (-math.max(0, now - last) / hl)
    hits, requests, at = s.tokens * keep + hit, s.at * keep + 1, math.max(now, last)
  end
  g.fields[f] = {tokens = hits, at = requests, full = at + 4 * hl}
  g.changed = true
  table.insert(tallied, math.floor(hits * 1000))
  table.insert(tallied, math.floor(requests * 1000))
end

local counts = {}
local cbase = 4 + nb * 8
local by_proven = np > 0 and not unproven
local function ms(n) return string.format("%d", n) end
-- adds a member to a counter (field f of record r, HyperLogLog slots k0, k1); its distinct count when asked
local function add(r, f, member, half, k0, k1, count)
  local e = current(r.fields[f], half)
  r.fields[f] = e
  local cur, prev = k0, k1
  if e.idx % 2 == 1 then cur, prev = prev, cur end
  if not spilled(e.cur) then
    local set, n = members(e.cur)
    if set[member] then
      if count then return list_count(e) end
      return 0
    end
    r.changed = true
    if n < COUNTER_CAP then
      if n == 0 then e.cur = member else e.cur = e.cur .. "," .. member end
      if count then return list_count(e) end
      return 0
    end
    -- a full list spills into the slots (emptied first: a slot two half windows old is gone, whatever the clocks
    -- and expiry say), each living until the end of the half window after its own
    local list = {member}
    for m in pairs(set) do table.insert(list, m) end
    redis.call("DEL", cur, prev)
    redis.call("PFADD", cur, unpack(list))
    redis.call("PEXPIRE", cur, ms((e.idx + 2) * half - now))
    if e.prev ~= "-" then
      local old, before = {}, members(e.prev)
      for m in pairs(before) do table.insert(old, m) end
      redis.call("PFADD", prev, unpack(old))
      redis.call("PEXPIRE", prev, ms((e.idx + 1) * half - now))
    end
    e.cur, e.prev = "*", "*"
  else
    if e.rolled then
      redis.call("DEL", cur)
      e.rolled = nil
    end
    if redis.call("PFADD", cur, member) == 1 then
      redis.call("PEXPIRE", cur, ms((e.idx + 2) * half - now))
      e.cur = "*"
      r.changed = true
    end
  end
  if not count then return 0 end
  local c = tonumber(string.sub(e.cur, 2))
  if not c then
    c = redis.call("PFCOUNT", cur, prev)
    e.cur = "*" .. c
    r.changed = true
  end
  return c
end
for i = 1, nc do
  local kind = ARGV[cbase + 4 * i - 1]
  local cohort = string.sub(kind, 1, 1) == "n"
  local young = tonumber(string.sub(kind, 2))
  -- new: first seen less than that long ago, by a store that had been recording for at least as long
  if cohort and not (age >= 0 and age < young and watched >= young) then
    counts[i] = 0
  else
    local member, f = ARGV[cbase + 4 * i - 3], ARGV[cbase + 4 * i]
    local half = math.max(1, math.floor(tonumber(ARGV[cbase + 4 * i - 2]) * 1000 / 2))
    local r = records[KEYS[nb + 3 * i - 2]]
    local split = by_proven and kind ~= "0"
    counts[i] = add(r, f, member, half, KEYS[nb + 3 * i - 1], KEYS[nb + 3 * i], not split)
    if split then counts[i] = add(r, f .. "!", member, half, KEYS[pbase + 2 * i - 1], KEYS[pbase + 2 * i], true) end
  end
end
-- each changed record written once, living until the end of the half window after its newest field's
for k, r in pairs(records) do
  if r.changed then
    local parts, last = {}, 0
    for f, e in pairs(r.fields) do
      table.insert(parts, string.format("%s %d %d %s %s", f, e.idx, e.half, e.cur, e.prev))
      last = math.max(last, (e.idx + 2) * e.half)
    end
    redis.call("SET", k, table.concat(parts, " "), "PX", ms(last - now))
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
    local half = math.max(1, math.floor(tonumber(ARGV[cbase + 4 * i - 2]) * 1000 / 2))
    local registry = KEYS[nb + 3 * nc + nk + 1]
    redis.call("ZADD", registry, ms((math.floor(now / half) + 2) * half), KEYS[nb + 3 * i - 2] .. " " .. ARGV[cbase + 4 * i])
    listed = true
  end
end
if listed then
  local registry = KEYS[nb + 3 * nc + nk + 1]
  redis.call("ZREMRANGEBYSCORE", registry, "-inf", now)
  local last = redis.call("ZRANGE", registry, -1, -1, "WITHSCORES")
  redis.call("PEXPIREAT", registry, last[2])
end

local allowed = 1
local b = {}
for i = nset + 1, nb do
  local a = 4 + (i - 1) * 8
  local cap, rate, cost = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local tokens, at = refill(stored(i), cap, rate, now)
  local applied = above(tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])) and above(tonumber(ARGV[a + 6]), tonumber(ARGV[a + 7]))
  local retry = 0
  if applied and cost > 0 then
    if cost > cap then retry = -1
    elseif tokens >= cost then retry = 0
    elseif rate <= 0 then retry = -1
    else retry = math.ceil((cost - tokens) * 1000 / rate) end
    if retry ~= 0 then allowed = 0 end
  end
  b[i] = {cap = cap, rate = rate, cost = cost, tokens = tokens, at = at, applied = applied, retry = retry}
end
for i = nset + 1, nb do
  local s = b[i]
  if allowed == 1 and s.applied and s.cost > 0 then
    s.tokens = s.tokens - s.cost
    put(i, s.cap, s.rate, s.tokens, s.at)
  end
end
write_buckets()

local out = {allowed, now}
for i = nset + 1, nb do
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
if ns > 0 then
  table.insert(out, age)
  table.insert(out, watched)
end
for _, v in ipairs(tallied) do table.insert(out, v) end
return out
`;

/** SHA-1 of LIMIT_SCRIPT, for EVALSHA. A test recomputes it: edit the script, update this. */
export const LIMIT_SCRIPT_SHA1 = "9a14ba6e495b97c1c9a6df8f20b39ae39b84b0b4";
