-- test_journal.lua -- the LuaJIT binding of the journal as a host's store of
-- record (docs/embedding.md): save bytes, the sequence-number cursor, the
-- observer and erasure, with their bad inputs.
--
--   CLM_LIBRARY=/path/to/libclm.so luajit bindings/luajit/tests/test_journal.lua

local here = (debug.getinfo(1, "S").source:match("^@(.*)[/\\][^/\\]*$")) or "."
package.path = here .. "/../?.lua;" .. package.path

local clm = require("clm")

local passed, failed = 0, 0
local function test(name, fn)
  local ok, err = xpcall(fn, function(e) return debug.traceback(tostring(e), 2) end)
  if ok then
    passed = passed + 1
    print("ok   " .. name)
  else
    failed = failed + 1
    print("FAIL " .. name .. "\n" .. err)
  end
end

local function eq(a, b, what)
  if a ~= b then error((what or "values differ") .. ": expected " .. tostring(b) .. ", got " .. tostring(a), 2) end
end

local function raises(status_name, fn, ...)
  local ok, e = pcall(fn, ...)
  assert(not ok, "expected " .. status_name .. ", but the call succeeded")
  assert(clm.is_error(e), "expected a clm.Error, got " .. tostring(e))
  eq(e.status_name, status_name, "status name")
  return e
end

local DEAL = [[{"id":"deal","version":1,"initial":"lead","stages":[
 {"id":"lead","name":"Lead","kind":"open","task":"qualify"},
 {"id":"offer","name":"Offer","kind":"open","task":"propose"},
 {"id":"won","name":"Won","kind":"won","task":"deliver"},
 {"id":"lost","name":"Lost","kind":"lost","task":"learn"}],
 "transitions":[{"from":"lead","to":"offer","event":"propose"},{"from":"offer","to":"won","event":"win"},
 {"from":"lead","to":"lost","event":"lose"},{"from":"offer","to":"lost","event":"lose"}]}]]

local LOG = "customer_id,timestamp,type,value,channel,amount\n" ..
  "c1,2024-01-01,stage,lead,,\n" ..
  "c2,2024-01-02,stage,lead,,\n" ..
  "c1,2024-01-03,contact,reached,call,\n" ..
  "c1,2024-01-04,event,propose,,\n" ..
  "c2,2024-01-05,stage,lost,,\n" ..
  "c1,2024-01-09,purchase,licence,,990.5\n"

local function fresh()
  local p = clm.portfolio.new()
  p:add_model(clm.model.from_json(DEAL))
  return p
end

local function brief(c)
  return string.format("%d %s %s %s %s>%s", c.seq, c.event.customer_id, c.event.type, c.event.value or "-",
    c.from_stage or "-", c.to_stage or "-")
end

test("save bytes load back; bytes that are not a save", function()
  local p = fresh()
  p:import_csv(LOG)
  local data = p:save_bytes()
  local q = clm.portfolio.load_bytes(data, "row 7")
  eq(q:export_events(), p:export_events())
  eq(q:last_seq(), 6)
  local e = raises("CLM_E_CORRUPT", clm.portfolio.load_bytes, "\255\254 not a save", "blob")
  assert(tostring(e):find("'blob' is damaged: not a clm portfolio save file", 1, true), tostring(e))
  raises("CLM_E_CORRUPT", clm.portfolio.load_bytes, data:sub(1, #data - 2))
  assert(not pcall(clm.portfolio.load_bytes, 42))
end)

test("cursor: rows after a sequence number, paging, beyond the end", function()
  local p = fresh()
  eq(p:last_seq(), 0)
  eq(#p:events_since(0), 0)
  p:import_csv(LOG)
  local rows = p:events_since(0)
  local got = {}
  for i, c in ipairs(rows) do got[i] = brief(c) end
  eq(table.concat(got, "|"), "1 c1 stage lead ->lead|2 c2 stage lead ->lead|3 c1 contact reached ->-|" ..
    "4 c1 stage offer lead>offer|5 c2 stage lost lead>lost|6 c1 purchase licence ->-")
  eq(rows[6].event.amount, 990.5)
  eq(rows[3].event.channel, "call")
  local page = p:events_since(2, 2)
  eq(#page, 2); eq(page[1].seq, 3); eq(page[2].seq, 4)
  eq(#p:events_since(6), 0)
  local e = raises("CLM_E_INVALID_ARGUMENT", p.events_since, p, 7)
  assert(tostring(e):find("cursor 7 is beyond the journal's last sequence number 6", 1, true), tostring(e))
  -- The rows replay into another portfolio as the same journal.
  local q = fresh()
  local events = {}
  for i, c in ipairs(rows) do events[i] = c.event end
  q:apply_batch(events)
  eq(q:export_events(), p:export_events())
end)

test("observer: once per row after the commit; a failure never undoes it", function()
  local p = fresh()
  local seen = {}
  p:set_observer(function(c) seen[#seen + 1] = brief(c) .. " @" .. p:event_count() end)
  p:apply({ customer_id = "c1", timestamp = "2024-01-01", type = "stage", value = "lead" })
  local applied = p:apply_batch({
    { customer_id = "c1", timestamp = "2024-01-02", type = "stage", value = "offer" },
    { customer_id = "c1", timestamp = "2024-01-03", type = "stage", value = "lead" }, -- refused, skipped
    { customer_id = "c1", timestamp = "2024-01-04", type = "stage", value = "won" },
  }, true)
  eq(applied, 2)
  eq(table.concat(seen, "|"), "1 c1 stage lead ->lead @1|2 c1 stage offer lead>offer @3|3 c1 stage won offer>won @3")
  raises("CLM_E_ILLEGAL_TRANSITION", p.apply, p, { customer_id = "c1", timestamp = "2024-01-05", type = "stage", value = "lead" })
  eq(#seen, 3)

  local calls = {}
  p:set_observer(function(c)
    calls[#calls + 1] = c.seq
    if #calls == 1 then error("webhook down") end
  end)
  p:apply({ customer_id = "c2", timestamp = "2024-01-01", type = "stage", value = "lead" }) -- returns normally
  eq(p:event_count(), 4)
  eq(p:observed_seq(), 3)
  assert(tostring(p.observer_errors[1]):find("webhook down", 1, true))
  p:apply({ customer_id = "c3", timestamp = "2024-01-01", type = "stage", value = "lead" })
  eq(table.concat(calls, ","), "4,4,5")
  eq(p:observed_seq(), 5)
  p:set_observer(nil)
  p:apply({ customer_id = "c4", timestamp = "2024-01-01", type = "stage", value = "lead" })
  eq(#calls, 3)
  assert(not pcall(p.set_observer, p, 42))
end)

test("erase: gone from the portfolio and the save; unknown customer changes nothing", function()
  local p = fresh()
  p:import_csv((LOG:gsub("c2", "gdpr-subject-42")))
  assert(p:save_bytes():find("gdpr-subject-42", 1, true))
  local before = p:save_bytes()
  raises("CLM_E_NOT_FOUND", p.erase_customer, p, "nobody")
  raises("CLM_E_INVALID_ARGUMENT", p.erase_customer, p, "\255")
  eq(p:save_bytes(), before)
  p:erase_customer("gdpr-subject-42")
  assert(not p:save_bytes():find("gdpr-subject-42", 1, true))
  eq(table.concat(p:customers(), ","), "c1")
  local seqs = {}
  for i, c in ipairs(p:events_since(0)) do seqs[i] = c.seq end
  eq(table.concat(seqs, ","), "1,3,4,6")
  eq(p:last_seq(), 6)
end)

test("time zones: offsets converted into the portfolio's zone", function()
  local p = fresh()
  p:apply({ customer_id = "u1", timestamp = "2024-01-01T23:30:00-02:00", type = "stage", value = "lead" })
  p:set_time_zone("+03:00")
  p:apply({ customer_id = "u2", timestamp = "2024-02-28T23:30:00Z", type = "stage", value = "lead" })
  local rows = p:events_since(0)
  eq(rows[1].event.timestamp, "2024-01-02T01:30:00")
  eq(rows[2].event.timestamp, "2024-02-29T02:30:00")
  raises("CLM_E_INVALID_ARGUMENT", p.set_time_zone, p, "+14:30")
  raises("CLM_E_INVALID_ARGUMENT", p.apply, p, { customer_id = "u3", timestamp = "2024-01-01T10:00:00+25:00", type = "stage", value = "lead" })
  eq(p:event_count(), 2)
end)

test("stream import: chunks equal the whole import; warnings; cancel; a failing reader", function()
  local lines = { "customer_id,timestamp,type,value,amount" }
  for i = 0, 29999 do
    local id = string.format("k%05d", i)
    lines[#lines + 1] = id .. ",2024-01-01,stage,lead,"
    lines[#lines + 1] = id .. ",2024-01-05,stage," .. (i % 2 == 1 and "offer" or "lost") .. ","
  end
  lines[#lines + 1] = "k00001,2024-01-06,contact,called,99"
  local text = table.concat(lines, "\n") .. "\n"
  assert(#text > 1048576)
  local function reader(s)
    local pos = 1
    return function(n)
      local piece = s:sub(pos, pos + n - 1)
      pos = pos + #piece
      return piece
    end
  end
  local whole, streamed = fresh(), fresh()
  whole:import_csv(text)
  local seen = {}
  local applied, rejected, warnings = streamed:import_csv_stream(reader(text), "s.csv", false, function(n) seen[#seen + 1] = n end)
  eq(applied, 60001)
  eq(#rejected, 0)
  eq(#warnings, 1)
  eq(warnings[1], "s.csv:60002:5: warning: column 'amount' (customer 'k00001') is not used on a 'contact' row (kept, but nothing reads it)")
  eq(streamed:export(), whole:export())
  eq(seen[#seen], #text)
  local q = fresh()
  raises("CLM_E_CANCELLED", q.import_csv_stream, q, reader(text), nil, false, function() return true end)
  eq(q:event_count(), 0)
  local e = raises("CLM_E_CALLBACK", q.import_csv_stream, q, function() error("connection reset") end)
  assert(tostring(e.cause):find("connection reset", 1, true), tostring(e.cause))
  eq(q:event_count(), 0)
end)

test("late events folded in at their time; strict mode; same-time rows reordered with a note", function()
  local p = fresh()
  p:apply({ customer_id = "a", timestamp = "2024-01-01", type = "stage", value = "lead" })
  p:apply({ customer_id = "a", timestamp = "2024-01-20", type = "stage", value = "lost" })
  p:apply({ customer_id = "a", timestamp = "2024-01-10", type = "stage", value = "offer" }) -- late: lead -> offer -> lost
  eq(p:stage("a", nil, "2024-01-15"), "offer")
  eq(p:stage("a"), "lost")
  local late = p:events_since(2)[1]
  eq(late.seq, 3)
  eq(late.from_stage .. ">" .. late.to_stage, "lead>offer")
  local e = raises("CLM_E_ILLEGAL_TRANSITION", p.apply, p, { customer_id = "a", timestamp = "2024-01-05", type = "stage", value = "lost" })
  assert(e.message:find("later event #3 at 2024-01-10 (stage 'offer' in model 'deal') would be refused", 1, true), e.message)
  eq(p:event_count(), 3)
  p:set_strict_time_order(true)
  raises("CLM_E_INVALID_ARGUMENT", p.apply, p, { customer_id = "a", timestamp = "2024-01-06", type = "contact" })
  p:set_strict_time_order(false)
  p:apply({ customer_id = "a", timestamp = "2024-01-06", type = "contact" })
  eq(p:event_count(), 4)
  local text = "customer_id,timestamp,type,value\nd,2024-04-01,stage,lead\nd,2024-04-02,stage,won\nd,2024-04-02,stage,offer\n"
  local done = false
  local applied, _, warnings = p:import_csv_stream(function() if done then return nil end done = true return text end, "t.csv")
  eq(applied, 3)
  eq(warnings[1], "t.csv:3: note: customer 'd': rows 3, 4 at 2024-04-02 applied in the order 4, 3 "
    .. "(the model refuses the file's order; it allows only this one)")
  eq(p:stage("d"), "won")
end)

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
