import { CLOCK_LUA, COUNTER_LUA } from "./script.ts";

/**
 * The admin API's store operations, one script so each is one round trip:
 * manual blocks (blocks.ts), kept consistent with their listing, and the
 * listing of counters over their limit (clusters) that the limit script keeps.
 * Enforcement is not here: the limit script checks block keys in `take()`.
 *
 * KEYS[1] a listing: a sorted set, member a key, score its expiry (ms)
 * KEYS[2] the block key (block, unblock)
 * ARGV[1] mode: "block" | "unblock" | "list" | "counters"
 * ARGV[2] the clock in ms, or "" to read the Redis clock (TIME)
 * block:  ARGV[3] TTL in ms, ARGV[4] the record, a JSON object without times:
 *         stored with "createdAt" and "expiresAt" (ms, the script's clock)
 *         put in front, as a string with SET PX. Returns {createdAt, expiresAt}.
 * unblock: returns {1} when the block existed, else {0}.
 * list:   ARGV[3] most blocks. Returns {now, then per block: key, record, PTTL}.
 * counters: ARGV[3] most counters. Returns {now, then per counter: its
 *         registry member ("<record> <field>", script.ts), its distinct count
 *         now (from its record, or PFCOUNT of its two HyperLogLog slots once
 *         it has spilled into them; neither is in KEYS: a read-only listing on
 *         a non-clustered Redis, as Upstash is), its listing expiry}.
 *
 * Every mode first drops expired members; the listing's own TTL is
 * its longest block's, so it never outlives them.
 */
export const ADMIN_SCRIPT = `local mode = ARGV[1]
${CLOCK_LUA}${COUNTER_LUA}local index = KEYS[1]
local function ms(n) return string.format("%.0f", n) end
redis.call("ZREMRANGEBYSCORE", index, "-inf", ms(now))
local function expire_index()
  local last = redis.call("ZRANGE", index, -1, -1, "WITHSCORES")
  if last[2] then redis.call("PEXPIREAT", index, last[2]) end
end

if mode == "block" then
  local ttl = math.floor(tonumber(ARGV[3]))
  local expires = now + ttl
  local record = '{"createdAt":' .. ms(now) .. ',"expiresAt":' .. ms(expires) .. ',' .. string.sub(ARGV[4], 2)
  redis.call("SET", KEYS[2], record, "PX", ttl)
  redis.call("ZADD", index, ms(expires), KEYS[2])
  expire_index()
  return {now, expires}
elseif mode == "unblock" then
  local existed = redis.call("DEL", KEYS[2])
  redis.call("ZREM", index, KEYS[2])
  expire_index()
  return {existed}
elseif mode == "list" then
  local out = {now}
  local keys = redis.call("ZRANGEBYSCORE", index, "(" .. ms(now), "+inf", "LIMIT", 0, tonumber(ARGV[3]))
  for _, key in ipairs(keys) do
    local record = redis.call("GET", key)
    if record then
      table.insert(out, key)
      table.insert(out, record)
      table.insert(out, redis.call("PTTL", key))
    else
      redis.call("ZREM", index, key)
    end
  end
  return out
elseif mode == "counters" then
  local out = {now}
  local members = redis.call("ZRANGEBYSCORE", index, "(" .. ms(now), "+inf", "WITHSCORES", "LIMIT", 0, tonumber(ARGV[3]))
  for i = 1, #members, 2 do
    local record, f = string.match(members[i], "^(.*) (%S+)$")
    local count = 0
    if record then
      local e = read_counters(redis.call("GET", record))[f]
      local name = record
      if f ~= "-" then name = record .. ":" .. f end
      if e then
        e = current(e, e.half)
        if not spilled(e.cur) then count = list_count(e)
        else count = tonumber(string.sub(e.cur, 2)) or redis.call("PFCOUNT", name .. ":0", name .. ":1") end
      end
    else
      -- listed by an earlier version of the limit script: its HyperLogLog slots
      count = redis.call("PFCOUNT", members[i] .. ":0", members[i] .. ":1")
    end
    table.insert(out, members[i])
    table.insert(out, count)
    table.insert(out, tonumber(members[i + 1]))
  end
  return out
end
return redis.error_reply("ERR unknown mode " .. tostring(mode))
`;

/** SHA-1 of ADMIN_SCRIPT, for EVALSHA. A test recomputes it: edit the script, update this. */
export const ADMIN_SCRIPT_SHA1 = "9f1553d6429598a87dd96e7765520a9868f475e0";
