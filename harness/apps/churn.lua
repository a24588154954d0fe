-- churn.lua: table and string churn for lua5.4, input made inside from a
-- fixed seed (its own LCG, not math.random, so every Lua build agrees).
-- Lua allocates every string, table, array part, hash part and closure with
-- realloc()/free() through its default allocator, so this is a program-sized
-- stream of small blocks plus realloc growth of tables and string buffers.
-- Each round (default 3) builds RECORDS records (default 30000; tables with
-- string fields), a hash index keyed by strings, concatenates and splits
-- strings (gsub, format, table.concat of up to 100 KiB), sorts an array of
-- records, grows and shrinks arrays, makes closures, then drops the round's
-- data. Prints sums only (pairs order varies between runs), so stdout is
-- identical on every run.
-- Usage: lua5.4 churn.lua [ROUNDS] [RECORDS]
local ROUNDS = tonumber(arg[1]) or 3
local N = tonumber(arg[2]) or 30000

local state = 12345
local function rnd(n)  -- deterministic LCG, result in 0 .. n-1
  state = (state * 1103515245 + 12345) % 2147483648
  return state % n
end

local words = { "lorem", "ipsum", "dolor", "sit", "amet", "consectetur",
  "adipiscing", "elit", "sed", "do", "eiusmod", "tempor", "incididunt",
  "ut", "labore", "et", "dolore", "magna", "aliqua" }

local function sentence(k)
  local t = {}
  for i = 1, k do t[i] = words[rnd(#words) + 1] end
  return table.concat(t, " ")
end

local function round(r)
  local recs = {}
  for i = 1, N do
    recs[i] = { id = i, key = string.format("k%d_%d", r, rnd(N * 4)),
                text = sentence(rnd(12) + 1), n = rnd(1000) }
  end
  -- hash index by string key, with collisions chained in small arrays
  local index = {}
  for i = 1, N do
    local rec = recs[i]
    local slot = index[rec.key]
    if slot then slot[#slot + 1] = rec else index[rec.key] = { rec } end
  end
  local keys, dup = 0, 0
  for _, slot in pairs(index) do
    keys = keys + 1
    if #slot > 1 then dup = dup + #slot end
  end
  -- string churn: upper-casing, gsub, concatenation into big buffers
  local total, parts = 0, {}
  for i = 1, N, 3 do
    local s = recs[i].text:upper():gsub("[AEIOU]", "%0%0")
    total = total + #s
    parts[#parts + 1] = s
    if #parts == 2000 then
      local big = table.concat(parts, ";")
      for w in big:gmatch("[^;]+") do total = total + 1 end
      parts = {}
    end
  end
  -- word counts (sum only), sorting, array growth and shrinking
  local counts = {}
  for i = 1, N do
    for w in recs[i].text:gmatch("%a+") do counts[w] = (counts[w] or 0) + 1 end
  end
  local wsum = 0
  for w, c in pairs(counts) do wsum = wsum + #w * c end
  table.sort(recs, function(a, b)
    if a.n ~= b.n then return a.n < b.n end
    return a.id < b.id
  end)
  local stack = {}
  for i = 1, N do
    stack[#stack + 1] = { i, tostring(i) }
    if i % 7 == 0 then for _ = 1, 3 do stack[#stack] = nil end end
  end
  local fs = {}
  for i = 1, N // 4 do
    local v = recs[i].n
    fs[i] = function(x) return x + v end
  end
  local fsum = 0
  for i = 1, #fs do fsum = fsum + fs[i](i) end
  return string.format("%d keys=%d dup=%d total=%d wsum=%d first=%d last=%d stack=%d fsum=%d",
    r, keys, dup, total, wsum, recs[1].id, recs[N].id, #stack, fsum)
end

for r = 1, ROUNDS do
  print(round(r))
  collectgarbage("collect")
end
