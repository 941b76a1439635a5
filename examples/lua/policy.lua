-- policy.lua -- a next-action policy driven from a Lua script (LuaJIT + clm's FFI binding).
--
-- Policies are data (JSON). Here the script writes one as a Lua table, encodes
-- it, checks it, loads it, and asks it what to do next for a few deals.
--
--   CLM_LIBRARY=build/libclm.so luajit examples/lua/policy.lua
--
-- Guide: docs/getting-started-lua.md

local here = (debug.getinfo(1, "S").source:match("^@(.*)[/\\][^/\\]*$")) or "."
package.path = here .. "/../../bindings/luajit/?.lua;" .. package.path
local clm = require("clm")

-- A minimal JSON encoder for the policy table (keys sorted, so the text is stable).
local function to_json(v)
  local t = type(v)
  if t == "string" then return '"' .. v:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"' end
  if t == "number" or t == "boolean" then return tostring(v) end
  assert(t == "table", "cannot encode a " .. t)
  if #v > 0 or next(v) == nil then -- an array (an empty table is an empty array)
    local items = {}
    for i, x in ipairs(v) do items[i] = to_json(x) end
    return "[" .. table.concat(items, ",") .. "]"
  end
  local keys, items = {}, {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys)
  for i, k in ipairs(keys) do items[i] = to_json(k) .. ":" .. to_json(v[k]) end
  return "{" .. table.concat(items, ",") .. "}"
end

-- The policy: three rules, each a condition over the customer's facts and an action.
-- Goals may use {task} (the stage task), {stage} and {product}.
local policy_table = {
  id = "lua-demo",
  version = 1,
  class_weights = { A = 3, B = 2, C = 1 },
  rules = {
    { id = "proposal-follow-up", description = "A proposal older than five days gets a call.",
      when = { all = { { fact = "stage", op = "in", value = { "proposal" } },
                       { fact = "days_in_stage", op = ">=", value = 5 } } },
      action = { kind = "follow_up", channel = "call", goal = "Ask for a decision on the proposal", due_in_days = 1, priority = 4 } },
    { id = "quiet-customer", description = "No contact for ten days in an open stage.",
      when = { all = { { fact = "stage_kind", op = "in", value = { "open" } },
                       { fact = "days_since_contact", op = ">=", value = 10 } } },
      action = { kind = "contact", goal = "Check in: {task}", due_in_days = 2, priority = 3 } },
    { id = "class-a-push", description = "Class A deals get an outside stimulus.",
      when = { fact = "class", op = "in", value = { "A" } },
      action = { kind = "offer_product", goal = "Offer the spring discount", product = "support plan", due_in_days = 3, priority = 2 } },
  },
}
local policy_json = to_json(policy_table)

-- Check it first: every problem comes with its position (here a one-line text).
local problems = clm.policy.validate_json(policy_json, "lua-demo.json")
assert(#problems == 0, problems[1] and problems[1].message)
-- A broken copy shows what validation reports.
local broken = policy_json:gsub('"follow_up"', '"dance"')
for _, p in ipairs((clm.policy.validate_json(broken, "broken.json"))) do
  print(string.format("validation: %s:%d:%d: %s", p.file, p.line, p.column, p.message))
end

local policy = clm.policy.from_json(policy_json) -- or clm.policy.load("seeds"), or a file path
print(string.format("policy %s with rules %s", policy:id(), table.concat(policy:rules(), ", ")))

-- A few deals in the sales6 model. Events are tables; errors are Lua errors with a status.
local p = clm.portfolio.new()
p:add_model(clm.model.preset("sales6"))
local events = {
  { customer_id = "acme", timestamp = "2024-05-02", type = "manager", value = "Ann" }, -- assigns the deal
  { customer_id = "acme", timestamp = "2024-05-02", type = "stage", value = "presentation", manager = "Ann" },
  { customer_id = "acme", timestamp = "2024-05-03", type = "check", value = "meeting protocol sent" },
  { customer_id = "acme", timestamp = "2024-05-06", type = "stage", value = "proposal", manager = "Ann" },
  { customer_id = "acme", timestamp = "2024-05-20", type = "contact", value = "sent terms", channel = "email" },
  { customer_id = "globex", timestamp = "2024-05-10", type = "manager", value = "Ann" },
  { customer_id = "globex", timestamp = "2024-05-10", type = "class", value = "A" },
  { customer_id = "globex", timestamp = "2024-05-10", type = "stage", value = "presentation", manager = "Ann" },
  { customer_id = "initech", timestamp = "2024-05-28", type = "manager", value = "Bo" },
  { customer_id = "initech", timestamp = "2024-05-28", type = "stage", value = "presentation", manager = "Bo" },
  { customer_id = "initech", timestamp = "2024-05-30", type = "contact", value = "demo booked", channel = "call" },
}
p:apply_batch(events)
local _, err = pcall(p.apply, p, { customer_id = "initech", timestamp = "2024-06-01", type = "stage", value = "payment" })
print("refused: " .. tostring(err)) -- CLM_E_ILLEGAL_TRANSITION: clm_portfolio_apply: ...

-- The JSON answer, read with patterns to stay dependency-free (a JSON library
-- such as lua-cjson or dkjson would decode it whole).
local function each(json, key)
  local out = {}
  for v in json:gmatch('"' .. key .. '":"([^"]*)"') do out[#out + 1] = v end
  return out
end

local as_of = "2024-06-03"
for _, customer in ipairs({ "acme", "globex", "initech" }) do
  local json = policy:recommend_customer(p, customer, as_of)
  -- One merged action per customer (its other actions are its "alternatives"): the first
  -- rule, goal and due of the JSON are the recommendation's own.
  local rules, goals, dues = each(json, "rule"), each(json, "goal"), each(json, "due")
  print(string.format("\n%s, stage %s as of %s: %d recommendation(s), %d action(s) in all", customer, (p:stage(customer, nil, as_of)),
                      as_of, select(2, json:gsub('"rank":', "")), #rules))
  if #rules > 0 then print(string.format("  1. by %s: %s  (rule %s)", dues[1], goals[1], rules[1])) end
end

-- The whole portfolio, ranked, one manager only, at most two.
local top = policy:recommend(p, as_of, { manager = "Ann", limit = 2 })
print("\nAnn's top two, as JSON: " .. top)
assert(select(2, top:gsub('"rank":', "")) == 2)

policy:free()
p:free()
