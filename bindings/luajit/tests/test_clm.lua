-- test_clm.lua -- tests of the LuaJIT binding of clm.
--
--   CLM_LIBRARY=/path/to/libclm.so luajit bindings/luajit/tests/test_clm.lua
--
-- Plain asserts; prints one line per failure and a final "N passed, M failed";
-- exits non-zero on any failure. CLM_HEADER overrides the header checked
-- against clm_cdef.lua (default: include/clm/clm.h of this repository).

local here = (debug.getinfo(1, "S").source:match("^@(.*)[/\\][^/\\]*$")) or "."
local bindings = here .. "/.."
package.path = bindings .. "/?.lua;" .. package.path

local ffi = require("ffi")
local clm = require("clm")
local gen = require("gen_cdef")

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

-- Runs fn, which must raise a clm.Error of status `status_name`; returns the error.
local function raises(status_name, fn, ...)
  local ok, e = pcall(fn, ...)
  assert(not ok, "expected " .. status_name .. ", but the call succeeded")
  assert(clm.is_error(e), "expected a clm.Error, got " .. tostring(e))
  eq(e.status_name, status_name, "status name")
  return e
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function pos(text, needle)
  local i = assert(text:find(needle, 1, true), needle)
  local before = text:sub(1, i - 1)
  local _, lines = before:gsub("\n", "")
  local last_nl = before:match(".*()\n") or 0
  return lines + 1, i - last_nl
end

local PRESETS = { "buttle5", "sales6", "maturity6", "clm5", "relationship4", "journey6", "sales-process5" }
local HEADER = gen.default_header()

local MINI = [[
{
  "id": "mini",
  "version": 2,
  "name": "Mini",
  "initial": "lead",
  "stages": [
    {"id": "lead", "name": "Lead", "kind": "open", "task": "Qualify", "time_limit_days": 5, "probability": 0.2,
     "requirements": ["budget", "contact"]},
    {"id": "won", "name": "Won", "kind": "won", "task": "Deliver"},
    {"id": "lost", "name": "Lost", "kind": "lost", "task": "Learn"}
  ],
  "transitions": [
    {"from": "lead", "to": "won", "event": "sign"},
    {"from": "lead", "to": "lost", "event": "drop"}
  ],
  "migrations": [{"from_version": 1, "stages": {"prospect": "lead"}}]
}
]]

-- ---------------------------------------------------------------------------
-- The cdef and the library
-- ---------------------------------------------------------------------------

test("clm_cdef.lua is current with clm.h", function()
  local generated = gen.generate(read(HEADER))
  local committed = read(bindings .. "/clm_cdef.lua")
  assert(generated == committed,
    "bindings/luajit/clm_cdef.lua is stale against " .. HEADER .. "; run: luajit bindings/luajit/gen_cdef.lua")
end)

test("every CLM_API function of the header is in the cdef and the library", function()
  local text = read(HEADER):gsub("/%*.-%*/", " ")
  local names = {}
  for line in text:gmatch("[^\n]+") do
    if not line:match("^%s*#") then
      for name in line:gmatch("CLM_API[^;(]-([%a_][%w_]*)%s*%(") do names[#names + 1] = name end
    end
  end
  assert(#names > 10, "read too few declarations from the header")
  eq(#clm.defs.functions, #names, "number of functions")
  for i, name in ipairs(names) do
    eq(clm.defs.functions[i], name, "function " .. i)
    assert(pcall(function() return clm.C[name] end), name .. " is not exported by the library")
  end
end)

test("gen_cdef handles directives, comments, guards and constants", function()
  local p = gen.parse([[
#ifndef X_H
#define X_H
#define CLM_A 2
#define CLM_B (CLM_A * 10 + 1u) /* comment */
#define CLM_S "s"
#define CLM_NONE ((size_t)-1)
#define CLM_F(x) (x)
#if defined(_WIN32)
#  define CLM_API __declspec(dllexport)
#else
#  define CLM_API
#endif
#ifdef __cplusplus
extern "C" {
#endif
/* a comment
   on two lines */
typedef struct s {
    int a; /* first
              field */
    int b;
} s;
CLM_API int clm_f(int a, // the a
                  int b);
#ifdef __cplusplus
}
#endif
#endif
]])
  eq(p.constants.CLM_A, 2)
  eq(p.constants.CLM_B, 21)
  eq(p.constants.CLM_S, "s")
  eq(p.constants.CLM_NONE, nil)
  eq(p.constants.CLM_F, nil)
  eq(#p.functions, 1)
  eq(p.functions[1], "clm_f")
  eq(p.cdef, "typedef struct s {\n    int a;\n    int b;\n} s;\nint clm_f(int a,\n                  int b);\n")
  local ok, err = pcall(gen.parse, "#ifdef FOO\nint x;\n#endif\n")
  assert(not ok and tostring(err):find("cannot evaluate"), tostring(err))
end)

test("version", function()
  local n = clm.version()
  local major, minor, patch = clm.version_string():match("^(%d+)%.(%d+)%.(%d+)$")
  eq(n, tonumber(major) * 10000 + tonumber(minor) * 100 + tonumber(patch), "version number")
  eq(tonumber(major), clm.defs.version.major, "major")
  eq(clm._VERSION, clm.defs.version.string)
  clm.check_version(n)
  local ok, err = pcall(clm.check_version, 10100)
  assert(not ok and err:find("major version must match"), tostring(err))
  ok = pcall(clm.check_version, 0, { major = 0, minor = 1, string = "0.1.0" })
  assert(not ok, "an older minor must be refused")
end)

test("a bad CLM_LIBRARY is a clear error", function()
  local cmd = string.format("cd %q && CLM_LIBRARY=/nonexistent/libclm.so luajit -e %q 2>&1",
    bindings, "package.path='./?.lua;'..package.path; local ok, e = pcall(require, 'clm'); print(e)")
  local p = assert(io.popen(cmd))
  local out = p:read("*a")
  p:close()
  assert(out:find("cannot load the clm C library from CLM_LIBRARY=/nonexistent/libclm.so", 1, true), out)
end)

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------

test("status names", function()
  eq(clm.status_name(0), "CLM_OK")
  eq(clm.status_name(3), "CLM_E_PARSE")
  eq(clm.status_name(15), "CLM_E_INTERNAL")
  eq(clm.status_name(999), "CLM_E_UNKNOWN")
end)

test("errors carry status, name, message and function", function()
  local e = raises("CLM_E_NOT_FOUND", clm.model.preset, "no-such-preset")
  eq(e.status, 5)
  eq(e.func, "clm_model_preset")
  assert(e.message:find("^clm_model_preset: "), e.message)
  assert(e.message:find("no-such-preset", 1, true), e.message)
  eq(#e.problems, 0)
  eq(tostring(e), "CLM_E_NOT_FOUND: " .. e.message)
  eq(clm.last_status(), 5)
  eq(clm.last_error(), e.message)
  clm.model.preset("clm5"):free()
  eq(clm.last_status(), 0)
  eq(clm.last_error(), "")
end)

test("an uncaught error prints its status name and message", function()
  local cmd = string.format("cd %q && luajit -e %q 2>&1", bindings,
    "package.path='./?.lua;'..package.path; require('clm').model.preset('nope')")
  local p = assert(io.popen(cmd))
  local out = p:read("*a")
  p:close()
  assert(out:find("CLM_E_NOT_FOUND: clm_model_preset: unknown preset 'nope'", 1, true), out)
end)

test("parse errors list problems with line and column", function()
  local text = '{\n  "id": "x",\n  "version": 1,\n  "stages": [ }\n'
  local e = raises("CLM_E_PARSE", clm.model.from_json, text)
  eq(#e.problems, 1)
  local p = e.problems[1]
  local line, col = pos(text, "}")
  eq(p.file, "<input>")
  eq(p.line, line, "line")
  eq(p.column, col, "column")
  assert(p.message:find("malformed JSON", 1, true), p.message)
end)

test("validation errors list every problem", function()
  local text = MINI:gsub('"kind": "lost"', '"kind": "bogus"'):gsub('"to": "won"', '"to": "nowhere"')
  local e = raises("CLM_E_VALIDATION", clm.model.from_json, text)
  assert(#e.problems >= 2)
  local found = false
  for _, p in ipairs(e.problems) do
    if p.message:find("unknown kind 'bogus'", 1, true) then
      local line, col = pos(text, '"bogus"')
      eq(p.line, line, "line")
      eq(p.column, col, "column")
      found = true
    end
  end
  assert(found, "no problem about the kind")
end)

test("validate_json", function()
  local problems, count = clm.model.validate_json(MINI)
  eq(#problems, 0)
  eq(count, 0)
  local bad = MINI:gsub('"kind": "won"', '"kind": "bogus"')
  problems, count = clm.model.validate_json(bad, "mini.json")
  eq(count, 1)
  eq(problems[1].file, "mini.json")
  local line, col = pos(bad, '"bogus"')
  eq(problems[1].line, line)
  eq(problems[1].column, col)
  problems = clm.model.validate_json('{"id": "x"}')
  assert(#problems > 2)
end)

test("parse_problems", function()
  local ps = clm.parse_problems("a.json:2:7: error: first\nC:\\m\\b.json:10:1: error: x: y\n<input>: error: none\nother\n")
  eq(#ps, 3)
  eq(ps[1].file, "a.json"); eq(ps[1].line, 2); eq(ps[1].column, 7); eq(ps[1].message, "first")
  eq(ps[2].file, "C:\\m\\b.json"); eq(ps[2].line, 10); eq(ps[2].message, "x: y")
  eq(ps[3].file, "<input>"); eq(ps[3].line, nil); eq(ps[3].message, "none")
end)

-- ---------------------------------------------------------------------------
-- Models
-- ---------------------------------------------------------------------------

test("presets", function()
  local ids = clm.presets()
  local have = {}
  for _, id in ipairs(ids) do
    assert(not have[id], "duplicate preset " .. id)
    have[id] = true
  end
  for _, id in ipairs(PRESETS) do assert(have[id], "missing preset " .. id) end -- more may come
  eq(#ids, tonumber(clm.C.clm_preset_count()))
  eq(clm.C.clm_preset_id(#ids), nil)
end)

test("every preset reads and round-trips through JSON", function()
  for _, id in ipairs(clm.presets()) do
    local m = clm.model.preset(id)
    eq(m:id(), id)
    assert(m:version() >= 1)
    assert(#m:name() > 0)
    local stages = m:stages()
    eq(#stages, m:stage_count())
    local ids = {}
    for i, s in ipairs(stages) do
      eq(s.index, i)
      eq(m:find_stage(s.id), i)
      assert(clm.stage_kinds[s.kind], "kind " .. tostring(s.kind))
      ids[s.id] = true
    end
    assert(ids[m:initial_stage()])
    for _, t in ipairs(m:transitions()) do
      assert(ids[t.from] and ids[t.to])
      eq(m:next_stage(t.from, t.event), t.to)
    end
    local json = m:to_json()
    local again = clm.model.from_json(json)
    eq(again:to_json(), json, id .. " round trip")
    again:free()
    m:free()
  end
end)

test("model getters", function()
  local m = clm.model.from_json(MINI)
  eq(m:id(), "mini"); eq(m:version(), 2); eq(m:name(), "Mini")
  eq(m:initial_stage(), "lead")
  local s = m:stages()
  eq(#s, 3)
  eq(s[1].id, "lead"); eq(s[1].name, "Lead"); eq(s[1].kind, "open"); eq(s[1].task, "Qualify")
  eq(s[1].time_limit_days, 5); eq(s[1].probability, 0.2)
  eq(#s[1].requirements, 2); eq(s[1].requirements[2], "contact")
  eq(s[2].kind, "won"); eq(s[2].time_limit_days, nil); eq(s[2].probability, nil); eq(#s[2].requirements, 0)
  eq(s[3].kind, "lost")
  local t = m:transitions()
  eq(#t, 2)
  eq(t[1].from, "lead"); eq(t[1].to, "won"); eq(t[1].event, "sign")
  eq(tostring(m), "clm.model 'mini' v2")
  m:free()
end)

test("find_stage, next_stage and their errors", function()
  local m = clm.model.from_json(MINI)
  eq(m:find_stage("won"), 2)
  raises("CLM_E_NOT_FOUND", m.find_stage, m, "nope")
  eq(m:next_stage("lead", "sign"), "won")
  local e = raises("CLM_E_ILLEGAL_TRANSITION", m.next_stage, m, "won", "sign")
  assert(e.message:find("'won' has no transition on 'sign'", 1, true), e.message)
  raises("CLM_E_NOT_FOUND", m.next_stage, m, "lead", "no-such-event")
  local out = ffi.new("size_t[1]")
  raises("CLM_E_INVALID_ARGUMENT", clm.call, "clm_model_next_stage", out, m:handle(), 99, "sign")
end)

test("migrate_stage", function()
  local m = clm.model.from_json(MINI)
  eq(m:migrate_stage(1, "prospect"), "lead")
  eq(m:migrate_stage(1, "won"), "won")
  raises("CLM_E_NOT_FOUND", m.migrate_stage, m, 1, "gone")
end)

test("render", function()
  local m = clm.model.from_json(MINI)
  local text = m:render()
  assert(text:find("mini", 1, true))
  eq(m:render("text"), text)
  eq(m:render(0), text)
  assert(m:render("dot"):find("^digraph"))
  assert(m:render("MERMAID"):find("^stateDiagram%-v2"))
  assert(m:render("json"):find('"id": "mini"', 1, true))
  local ok, err = pcall(m.render, m, "pdf")
  assert(not ok and tostring(err):find("unknown format 'pdf'", 1, true), tostring(err))
  local e = raises("CLM_E_INVALID_ARGUMENT", m.render, m, 99)
  assert(e.message:find("unknown format 99", 1, true), e.message)
end)

test("load from a preset id and from a file", function()
  eq(clm.model.load("sales6"):id(), "sales6")
  local path = bindings .. "/../../presets/sales6.json"
  local f = io.open(path, "rb")
  if f then
    f:close()
    local a, b = clm.model.load(path), clm.model.preset("sales6")
    eq(a:to_json(), b:to_json())
  end
  local tmp = os.tmpname()
  local w = assert(io.open(tmp, "wb"))
  w:write('{"id": "x",\n "version": 1,\n "stages": [}')
  w:close()
  local e = raises("CLM_E_PARSE", clm.model.load, tmp)
  eq(e.problems[1].file, tmp); eq(e.problems[1].line, 3); eq(e.problems[1].column, 13)
  os.remove(tmp)
  e = raises("CLM_E_IO", clm.model.load, tmp)
  assert(e.message:find(tmp, 1, true), e.message)
end)

test("unicode survives", function()
  local m = clm.model.from_json((MINI:gsub('"Mini"', '"Mini – Воронка"')))
  eq(m:name(), "Mini – Воронка")
  assert(m:render():find("Воронка", 1, true))
end)

-- ---------------------------------------------------------------------------
-- Ownership
-- ---------------------------------------------------------------------------

test("free twice is safe; use after free is an error", function()
  local m = clm.model.preset("sales6")
  m:free()
  m:free()
  assert(m:is_freed())
  eq(tostring(m), "clm.model (freed)")
  local ok, err = pcall(m.id, m)
  assert(not ok and tostring(err):find("freed model", 1, true), tostring(err))
  local b = clm.builder("x", 1)
  b:free()
  b:free()
  ok, err = pcall(b.add_stage, b, "a")
  assert(not ok and tostring(err):find("freed builder", 1, true), tostring(err))
end)

test("the garbage collector frees handles", function()
  for _ = 1, 2000 do
    clm.model.preset("journey6")
    clm.builder("tmp", 1):add_stage("a")
  end
  collectgarbage()
  collectgarbage()
  -- a model outlives its builder
  local b = clm.builder("solo", 1):add_stage("a"):add_stage("b", nil, "won"):add_transition("a", "b", "go")
  local m = b:build()
  b = nil
  collectgarbage()
  eq(m:next_stage("a", "go"), "b")
end)

-- ---------------------------------------------------------------------------
-- Builder
-- ---------------------------------------------------------------------------

test("builder: every step", function()
  local b = clm.builder("deal", 2)
    :set_name("Deal")
    :add_stage("lead", "Lead", "open", "Qualify the lead")
    :add_stage("offer", "Offer")
    :add_stage("won", "Won", "won", "Deliver")
    :add_stage("lost", nil, "lost")
    :add_stage("sleep", "Sleeping", "dormant")
    :add_stage("closed", "Closed", 4)
    :set_time_limit("lead", 7):set_probability("lead", 0.1)
    :add_requirement("offer", "proposal sent")
    :add_transition("lead", "offer", "qualify"):add_transition("offer", "won", "sign")
    :add_transition("offer", "lost", "lose"):add_transition("lead", "sleep", "pause")
    :add_transition("sleep", "lead", "wake"):add_transition("won", "closed", "close")
    :guard_requires("offer", "sign", "contract signed")
    :guard_min_days("offer", "sign", 2)
    :guard_predicate("offer", "sign", "credit_ok")
    :add_reason("offer", "lose", "price", true)
    :add_reason("lead", "pause", nil, true)
    :add_migration(1, "prospect", "lead")
    :set_initial("lead")
  local m = b:build()
  eq(m:id(), "deal"); eq(m:version(), 2); eq(m:name(), "Deal"); eq(m:initial_stage(), "lead")
  local s = m:stages()
  eq(s[1].time_limit_days, 7); eq(s[1].probability, 0.1); eq(s[1].task, "Qualify the lead")
  eq(s[2].requirements[1], "proposal sent")
  eq(s[4].name, "lost"); eq(s[5].kind, "dormant"); eq(s[6].kind, "terminal")
  eq(m:migrate_stage(1, "prospect"), "lead")
  local json = m:to_json()
  assert(json:find('"kind": "predicate"', 1, true))
  assert(json:find('"kind": "min_days"', 1, true))
  assert(json:find('"contract signed"', 1, true))
  assert(json:find('"reason_required": true', 1, true))
  eq(clm.model.from_json(json):to_json(), json)
  b:free()
end)

test("builder: errors", function()
  local b = clm.builder("b", 1):add_stage("a")
  raises("CLM_E_DUPLICATE", b.add_stage, b, "a")
  raises("CLM_E_NOT_FOUND", b.set_time_limit, b, "zz", 3)
  raises("CLM_E_INVALID_ARGUMENT", b.set_time_limit, b, "a", -1)
  raises("CLM_E_NOT_FOUND", b.guard_requires, b, "a", "go", "x")
  raises("CLM_E_INVALID_ARGUMENT", b.add_stage, b, "k", nil, 99)
  local ok, err = pcall(b.add_stage, b, "k", nil, "nonsense")
  assert(not ok and tostring(err):find("unknown stage kind", 1, true), tostring(err))
  raises("CLM_E_INVALID_ARGUMENT", clm.builder, nil, 1)
end)

test("builder: build reports every problem and stays usable", function()
  local b = clm.builder("b", 0):add_stage("a"):add_stage("w", nil, "won"):add_transition("a", "nowhere", "go")
  local e = raises("CLM_E_VALIDATION", b.build, b)
  eq(e.func, "clm_model_builder_build")
  assert(#e.problems >= 2)
  for _, p in ipairs(e.problems) do eq(p.file, "<input>"); eq(p.line, nil) end
  local b2 = clm.builder("b", 1):add_stage("a"):add_stage("w", nil, "won"):add_transition("a", "nowhere", "go")
  raises("CLM_E_VALIDATION", b2.build, b2)
  b2:add_stage("nowhere", nil, "lost"):add_transition("a", "w", "win")
  eq(b2:build():next_stage("a", "go"), "nowhere")
end)

-- ---------------------------------------------------------------------------
-- Raw access to the rest of the ABI
-- ---------------------------------------------------------------------------

test("raw calls: structs and callbacks from the cdef", function()
  local C = clm.C
  local out = ffi.new("clm_portfolio *[1]")
  clm.call("clm_portfolio_new", out)
  local p = ffi.gc(out[0], C.clm_portfolio_free)
  local m = clm.builder("gate", 1):add_stage("a"):add_stage("b", nil, "won"):add_transition("a", "b", "go")
    :guard_predicate("a", "go", "allowed"):build()
  clm.call("clm_portfolio_add_model", nil, p, m:handle())
  m:free()
  local seen = 0
  local cb = ffi.cast("clm_predicate_fn", function(customer, _, from, to)
    seen = seen + 1
    assert(ffi.string(customer) == "c1" and ffi.string(from) == "a" and ffi.string(to) == "b")
    return 1
  end)
  clm.call("clm_portfolio_register_predicate", p, "allowed", cb, nil)
  local ev = ffi.new("clm_event", { ffi.sizeof("clm_event") })
  ev.customer_id, ev.timestamp, ev.type, ev.value = "c1", "2024-01-01", "stage", "a"
  clm.call("clm_portfolio_apply", p, ev)
  ev.timestamp, ev.type, ev.value = "2024-01-03", "event", "go"
  clm.call("clm_portfolio_apply", p, ev)
  eq(seen, 1)
  local stage, days = ffi.new("size_t[1]"), ffi.new("int64_t[1]")
  clm.call("clm_portfolio_stage", stage, days, p, "c1", nil, "2024-01-02")
  eq(tonumber(stage[0]), 0); eq(tonumber(days[0]), 1)
  eq(tonumber(C.clm_portfolio_event_count(p)), 2)
  ffi.gc(p, nil)
  C.clm_portfolio_free(p)
  cb:free()
end)

-- ---------------------------------------------------------------------------
-- Portfolios
-- ---------------------------------------------------------------------------

local DEAL = [[
{"id": "deal", "version": 1, "initial": "lead",
 "stages": [{"id": "lead", "name": "Lead", "kind": "open", "task": "qualify"},
            {"id": "won", "name": "Won", "kind": "won", "task": "deliver"},
            {"id": "lost", "name": "Lost", "kind": "lost", "task": "learn"}],
 "transitions": [{"from": "lead", "to": "won", "event": "win", "guards": [{"kind": "predicate", "name": "credit_ok"}]},
                 {"from": "lead", "to": "lost", "event": "lose"}]}
]]

local LOG = "customer_id,timestamp,type,value\n"
  .. "x,2024-01-01,stage,awareness\n"
  .. "y,2024-01-01,stage,awareness\n"
  .. "y,2024-01-09,stage,commitment\n"
  .. "x,2024-01-10,contact,called\n"

local function buttle()
  local p = clm.portfolio.new()
  p:add_model(clm.model.preset("buttle5"))
  return p
end

test("portfolio: models, apply, stage, customers", function()
  local p = clm.portfolio.new()
  eq(p:customer_count(), 0)
  local m = clm.model.preset("sales6")
  eq(p:add_model(m), 1)
  m:free() -- the portfolio shares the model
  raises("CLM_E_DUPLICATE", p.add_model, p, clm.model.preset("sales6"))
  local views = p:models()
  eq(#views, 1); eq(views[1]:id(), "sales6")
  eq(tostring(views[1]), "clm.model 'sales6' v1 (the portfolio's)")
  views[1]:free() -- a view frees nothing
  eq(p:models()[1]:id(), "sales6")
  p:apply{ customer_id = "acme", timestamp = "2024-05-01", type = "stage", value = "presentation", manager = "Ann" }
  p:apply{ customer_id = "acme", timestamp = "2024-05-02", type = "check", value = "meeting protocol sent" }
  p:apply{ customer_id = "acme", timestamp = "2024-05-03", type = "event", value = "advance" }
  p:apply{ customer_id = "acme", timestamp = "2024-05-04", type = "purchase", value = "licence", amount = 1200.5 }
  p:apply{ customer_id = "acme", timestamp = "2024-05-05", type = "contact", channel = "call" }
  local st, days = p:stage("acme")
  eq(st, "proposal"); eq(days, 2)
  st, days = p:stage("acme", "sales6", "2024-05-02")
  eq(st, "presentation"); eq(days, 1)
  st, days = p:stage("acme", nil, "2024-04-01")
  eq(st, nil); eq(days, 0)
  eq(#p:customers(), 1); eq(p:customers()[1], "acme")
  eq(p:event_count(), 5)
  assert(p:customer("acme"):find('"stage":"proposal"', 1, true))
  assert(p:customer("acme", "2024-05-02"):find('"stage":"presentation"', 1, true))
  assert(p:history("acme"):find('"value":"licence"', 1, true))
  assert(tostring(p):find("1 models, 1 customers, 5 events", 1, true), tostring(p))
end)

test("portfolio: errors carry status and message and change nothing", function()
  local p = buttle()
  p:apply{ customer_id = "a", timestamp = "2024-01-01", type = "stage", value = "awareness" }
  local e = raises("CLM_E_ILLEGAL_TRANSITION", p.apply, p, { customer_id = "a", timestamp = "2024-01-02", type = "stage", value = "commitment" })
  eq(e.func, "clm_portfolio_apply")
  assert(e.message:find("customer 'a'", 1, true), e.message)
  e = raises("CLM_E_INVALID_ARGUMENT", p.apply, p, { customer_id = "b", timestamp = "2024-02-01", type = "warp", value = "x" })
  assert(e.message:find("unknown type 'warp'", 1, true), e.message)
  raises("CLM_E_INVALID_ARGUMENT", p.apply, p, { customer_id = "b", timestamp = "2024-13-01", type = "stage", value = "awareness" })
  raises("CLM_E_NOT_FOUND", p.apply, p, { customer_id = "b", timestamp = "2024-02-01", type = "stage", value = "nowhere" })
  eq(p:event_count(), 1)
  local ok, err = pcall(p.apply, p, { customer = "a" })
  assert(not ok and tostring(err):find("unknown field 'customer'", 1, true), tostring(err))
  ok, err = pcall(p.apply, p, { customer_id = "a", timestamp = "2024-02-01", type = "purchase", value = "x", amount = "lots" })
  assert(not ok and tostring(err):find("amount must be a number", 1, true), tostring(err))
  raises("CLM_E_NOT_FOUND", p.stage, p, "ghost")
  raises("CLM_E_NOT_FOUND", p.stage, p, "a", "other")
  raises("CLM_E_INVALID_ARGUMENT", p.stage, p, "a", nil, "2017-02-30")
  raises("CLM_E_NOT_FOUND", p.customer, p, "ghost")
  raises("CLM_E_NOT_FOUND", p.stage_counts, p, "nope")
end)

test("portfolio: batches, import, stage counts, export", function()
  local p = buttle()
  local e = raises("CLM_E_ILLEGAL_TRANSITION", p.import_csv, p, LOG, "log.csv")
  assert(e.message:find("log.csv:4: customer 'y'", 1, true), e.message)
  eq(p:customer_count(), 0)
  local applied, rejected = p:import_csv(LOG, "log.csv", true)
  eq(applied, 3); eq(#rejected, 1)
  assert(rejected[1]:find("^log.csv:4: "), rejected[1])
  e = raises("CLM_E_PARSE", p.import_csv, p, "customer_id,timestamp\n", "h.csv")
  eq(e.problems[1].file, "h.csv")
  local evs = {
    { customer_id = "x", timestamp = "2024-02-01", type = "stage", value = "exploration" },
    { customer_id = "z", timestamp = "2024-02-01", type = "stage", value = "nowhere" },
    { customer_id = "z", timestamp = "2024-02-01", type = "stage", value = "awareness" },
  }
  e = raises("CLM_E_NOT_FOUND", p.apply_batch, p, evs)
  assert(e.message:find("event 1", 1, true), e.message)
  eq(p:event_count(), 3)
  applied, rejected = p:apply_batch(evs, true)
  eq(applied, 2); eq(#rejected, 1)
  assert(rejected[1]:find("^event 1: "), rejected[1])
  eq((p:apply_batch({})), 0)
  local counts, order = p:stage_counts()
  eq(#order, 5); eq(order[1], "awareness")
  eq(counts.awareness, 2); eq(counts.exploration, 1); eq(counts.commitment, 0)
  counts = p:stage_counts("buttle5", "2024-01-05")
  eq(counts.awareness, 2)
  local csv = p:export("2024-02-01")
  assert(csv:find("^customer_id,manager,class,buttle5_stage,"), csv)
  assert(p:export(nil, "json"):find('"as_of":"2024-02-01"', 1, true))
  local ok, err = pcall(p.export, p, nil, "xml")
  assert(not ok and tostring(err):find("unknown export format", 1, true))
  -- the journal round-trips
  local q = buttle()
  q:import_csv(p:export_events())
  eq(q:export_events(), p:export_events())
  -- files
  local tmp = os.tmpname()
  local f = assert(io.open(tmp, "wb"))
  f:write((LOG:gsub("y,2024%-01%-09,stage,commitment\n", "")))
  f:close()
  local r = buttle()
  eq((r:import_csv_file(tmp)), 3)
  os.remove(tmp)
  e = raises("CLM_E_IO", r.import_csv_file, r, tmp)
  assert(e.message:find(tmp, 1, true), e.message)
end)

test("portfolio: analytics as JSON strings", function()
  local p = buttle()
  p:import_csv(LOG, "log.csv", true)
  assert(p:funnel():find('"model":"buttle5"', 1, true))
  assert(p:funnel("buttle5", "2024-01-05"):find('"as_of":"2024-01-05"', 1, true))
  assert(p:time_in_stage():find('"stages":[', 1, true))
  assert(p:dynamics("2024-01-02", "2024-01-10"):find('"from":"2024-01-02"', 1, true))
  raises("CLM_E_INVALID_ARGUMENT", p.dynamics, p, "2024-01-10", "2024-01-02")
  assert(p:value():find('"pareto"', 1, true))
  assert(p:forecast():find('"pipeline"', 1, true))
  assert(p:forecast_customers():find('"customers":[', 1, true))
  assert(p:backtest("2024-01-02", "2024-01-10"):find('"until":"2024-01-10"', 1, true))
  raises("CLM_E_INVALID_ARGUMENT", p.backtest, p, "2024-01-10", "2024-01-02")
  assert(p:plan_actual('{"from": "2024-01-01", "to": "2024-01-31", "managers": {"Ann": {"contacts": 4}}}'):find('"Ann"', 1, true))
  local e = raises("CLM_E_PARSE", p.plan_actual, p, "{ nope")
  eq(e.problems[1].file, "plan")
  raises("CLM_E_NOT_FOUND", p.funnel, p, "nope")
end)

test("portfolio: a predicate allows, refuses, and its errors stay in Lua", function()
  local p = clm.portfolio.new()
  p:add_model(clm.model.from_json(DEAL))
  p:apply{ customer_id = "c1", timestamp = "2024-01-01", type = "stage", value = "lead" }
  local win = { customer_id = "c1", timestamp = "2024-01-05", type = "stage", value = "won" }
  raises("CLM_E_GUARD_FAILED", p.apply, p, win) -- not registered yet
  local verdict, calls = false, {}
  p:register_predicate("credit_ok", function(customer, model_id, from, to, date)
    calls[#calls + 1] = { customer, model_id, from, to, date }
    if verdict == "boom" then error("credit service down") end
    return verdict
  end)
  local e = raises("CLM_E_GUARD_FAILED", p.apply, p, win)
  assert(e.message:find("'lead' -> 'won'", 1, true), e.message)
  eq(#calls, 1)
  eq(calls[1][1], "c1"); eq(calls[1][2], "deal"); eq(calls[1][3], "lead"); eq(calls[1][4], "won")
  assert(calls[1][5]:find("^2024%-01%-05"), calls[1][5])
  verdict = "boom"
  e = raises("CLM_E_CALLBACK", p.apply, p, win)
  assert(tostring(e.cause):find("credit service down", 1, true), tostring(e.cause))
  eq(p:event_count(), 1) -- nothing changed by the failures
  verdict = true
  p:apply(win)
  eq((p:stage("c1")), "won")
  -- replacing a predicate; a batch with skip_bad reports the refusal
  p:register_predicate("credit_ok", function(customer) return customer ~= "bad" end)
  p:apply{ customer_id = "bad", timestamp = "2024-01-01", type = "stage", value = "lead" }
  p:apply{ customer_id = "ok", timestamp = "2024-01-01", type = "stage", value = "lead" }
  local applied, rejected = p:apply_batch({
    { customer_id = "ok", timestamp = "2024-01-05", type = "stage", value = "won" },
    { customer_id = "bad", timestamp = "2024-01-05", type = "stage", value = "won" },
  }, true)
  eq(applied, 1); eq(#rejected, 1)
  assert(rejected[1]:find("credit_ok", 1, true), rejected[1])
  -- many calls, so that the caller may get JIT-compiled
  for i = 1, 300 do
    p:apply{ customer_id = "j" .. i, timestamp = "2024-01-01", type = "stage", value = "lead" }
    p:apply{ customer_id = "j" .. i, timestamp = "2024-01-02", type = "stage", value = "won" }
  end
  eq(p:stage_counts().won, 302)
  p:free()
  p:free()
  assert(p:is_freed())
end)

test("portfolio: save and load; free twice; use after free", function()
  local p = buttle()
  p:import_csv(LOG, "log.csv", true)
  local views = p:models()
  local tmp = os.tmpname()
  p:save(tmp)
  local q = clm.portfolio.load(tmp)
  eq(q:customer_count(), 2)
  eq(q:models()[1]:id(), "buttle5")
  eq(q:export_events(), p:export_events())
  local f = assert(io.open(tmp, "r+b"))
  f:seek("set", 40)
  f:write("#")
  f:close()
  local e = raises("CLM_E_CORRUPT", clm.portfolio.load, tmp)
  assert(e.message:find(tmp, 1, true), e.message)
  os.remove(tmp)
  raises("CLM_E_IO", clm.portfolio.load, tmp)
  p:free()
  p:free()
  eq(tostring(p), "clm.portfolio (freed)")
  local ok, err = pcall(p.customers, p)
  assert(not ok and tostring(err):find("freed portfolio", 1, true), tostring(err))
  assert(views[1]:is_freed(), "a view of a freed portfolio is freed")
  ok, err = pcall(views[1].id, views[1])
  assert(not ok and tostring(err):find("freed model", 1, true), tostring(err))
end)

test("portfolio: the garbage collector frees portfolios and their predicates", function()
  for i = 1, 300 do
    local p = clm.portfolio.new()
    p:add_model(clm.model.from_json(DEAL))
    p:register_predicate("credit_ok", function() return true end)
    p:apply{ customer_id = "c" .. i, timestamp = "2024-01-01", type = "stage", value = "lead" }
  end
  collectgarbage()
  collectgarbage()
end)

-- ---------------------------------------------------------------------------
-- Policies
-- ---------------------------------------------------------------------------

local POLICY_LOG = "customer_id,timestamp,type,value,model,channel,manager\n"
  .. "a,2024-05-01,stage,presentation,sales6,,\n"
  .. "a,2024-05-01,class,B,,,\n"
  .. "a,2024-05-01,manager,Ann,,,\n"
  .. "a,2024-05-20,contact,ok,,call,Ann\n"
  .. "b,2024-05-01,stage,proposal,sales6,,\n"
  .. "b,2024-05-01,manager,Bo,,,\n"

local function sales()
  local p = clm.portfolio.new()
  p:add_model(clm.model.preset("sales6"))
  p:import_csv(POLICY_LOG, "log.csv")
  return p
end

test("locales: a model and a portfolio shown in Russian and Chinese", function()
  local m = clm.model.preset("buttle5")
  eq(table.concat(m:locales(), ","), "en,ru,zh")
  eq(m:locale(), "en")
  eq(m:set_locale("ru"), m)
  eq(m:stages()[1].name, "Осведомленность")
  eq(m:locale(), "ru")
  local e = raises("CLM_E_NOT_FOUND", m.set_locale, m, "de")
  assert(e.message:find("available: en, ru, zh", 1, true), e.message)
  eq(m:locale(), "ru")
  local p = clm.portfolio.new()
  p:add_model(clm.model.preset("sales6"))
  local view = p:models()[1]
  p:set_locale("zh")
  eq(view:stages()[view:find_stage("proposal")].name, "报价方案")
  local ok, err = pcall(view.set_locale, view, "ru")
  assert(not ok and tostring(err):find("portfolio:set_locale", 1, true), tostring(err))
  raises("CLM_E_NOT_FOUND", p.set_locale, p, "fr")
  p:free(); m:free()
end)

test("policy: load, rules, validation", function()
  eq(clm.policy.presets()[1], "seeds")
  local pol = clm.policy.load("seeds")
  eq(pol:id(), "seeds")
  assert(#pol:rules() >= 20)
  assert(tostring(pol):find("^clm.policy 'seeds'"))
  local broken = '{"id": "x",\n "rules": [{"id": "r", "when": {"fact": "mood", "op": ">", "value": 1},\n "action": {"kind": "dance"}}]}'
  local e = raises("CLM_E_VALIDATION", clm.policy.from_json, broken)
  eq(#e.problems, 2)
  local problems, count = clm.policy.validate_json(broken, "p.json")
  eq(count, 2); eq(problems[1].file, "p.json"); eq(problems[1].line, 2)
  problems, count = clm.policy.validate_json('{"id": "ok", "rules": []}')
  eq(count, 0)
  raises("CLM_E_IO", clm.policy.load, "/nonexistent/policy.json")
  raises("CLM_E_PARSE", clm.policy.from_json, '{"id": ')
  pol:free()
  pol:free()
  local ok, err = pcall(pol.id, pol)
  assert(not ok and tostring(err):find("freed policy", 1, true), tostring(err))
end)

test("policy: typed lists with reasons as codes", function()
  local p, pol = sales(), clm.policy.load("seeds")
  -- every action its own recommendation, so that class-b-online's reasons are its own
  local recs = pol:recommend_list(p, "2024-06-10", { per_customer = 10 })
  assert(#recs >= 1)
  local found
  for _, r in ipairs(recs) do
    for _, why in ipairs(r.reasons) do
      if r.rule == "class-b-online" and why.id == "days_since_contact" then found = why end
    end
  end
  assert(found, "a's days_since_contact reason")
  eq(found.actual, 21); eq(found.threshold, 7); eq(found.op, ">="); eq(found.text, "days since last contact 21 >= 7")
  local week, capacity = pol:plan_week_list(p, "Ann", "2024-06-12")
  assert(#week >= 1); eq(capacity, 2400)
  local funnel = p:funnel_list("sales6", "2024-06-10")
  eq(funnel[1].id, "presentation")
end)

test("policy: recommend, options, progress, cancel", function()
  local p, pol = sales(), clm.policy.load("seeds")
  local json = pol:recommend(p, "2024-06-10")
  assert(json:find('"rule":"class-b-online"', 1, true))
  assert(json:find("days since last contact 21 >= 7", 1, true))
  local bo = pol:recommend(p, "2024-06-10", { manager = "Bo", limit = 1, threads = 2 })
  assert(bo:find('"count":1', 1, true) and not bo:find('"customer_id":"a"', 1, true), bo)
  local seen = {}
  pol:recommend(p, "2024-06-10", { progress = function(done, total) seen[#seen + 1] = done .. "/" .. total end })
  eq(seen[1], "0/2"); eq(seen[#seen], "2/2")
  raises("CLM_E_CANCELLED", pol.recommend, pol, p, "2024-06-10", { progress = function() return true end })
  local ok, err = pcall(pol.recommend, pol, p, "2024-06-10", { progress = function() error("bar broke") end })
  assert(not ok and tostring(err):find("bar broke", 1, true), tostring(err))
  local e = raises("CLM_E_INVALID_ARGUMENT", pol.recommend, pol, p, nil)
  assert(e.message:find("never read the clock", 1, true), e.message)
  assert(pol:recommend_customer(p, "a", "2024-06-10"):find('"reasons":[', 1, true))
  raises("CLM_E_NOT_FOUND", pol.recommend_customer, pol, p, "zz", "2024-06-10")
  local plan = pol:plan_week(p, "Ann", "2024-06-12")
  assert(plan:find('"week_start":"2024-06-10"', 1, true), plan)
  raises("CLM_E_INVALID_ARGUMENT", pol.plan_week, pol, p, "Ann", "2024-06-12", 500)
  -- many calls with a progress callback
  for _ = 1, 200 do pol:recommend(p, "2024-06-10", { limit = 1, progress = function() return false end }) end
  -- one merged action per customer by default; per_customer for more; deals of an account
  local one = pol:recommend(p, "2024-06-10")
  eq(select(2, one:gsub('"rank":', "")), 2, "one per customer")
  assert(one:find('"alternatives":[', 1, true))
  local more = pol:recommend(p, "2024-06-10", { per_customer = 5 })
  assert(select(2, more:gsub('"rank":', "")) > 2, more)
  p:apply{ customer_id = "d1", timestamp = "2024-06-01", type = "stage", value = "presentation", amount = 4200, account = "Acme" }
  local d1 = pol:recommend_customer(p, "d1", "2024-06-10")
  assert(d1:find('"account":"Acme"', 1, true) and d1:find('"value":4200.0', 1, true) and d1:find('"p_won":', 1, true), d1)
end)

test("real data: stage counts of the CRM export", function()
  local repo = bindings .. "/../.."
  local tmp = os.tmpname()
  local ok = os.execute(string.format("python3 %q -o %q", repo .. "/scripts/crm_to_events.py", tmp))
  if ok ~= 0 and ok ~= true then
    print("skip (python3 cannot run the converter)")
    return
  end
  local p = clm.portfolio.new()
  p:add_model(clm.model.load(repo .. "/examples/data/crm-pipeline.json"))
  local applied = p:import_csv_file(tmp)
  os.remove(tmp)
  eq(applied, 62324)
  local c = p:stage_counts(nil, "2017-06-30")
  eq(c.prospecting, 0); eq(c.engaging, 1686); eq(c.won, 1785); eq(c.lost, 894)
  c = p:stage_counts("crm-pipeline", "2017-12-31")
  eq(c.prospecting, 500); eq(c.engaging, 1589); eq(c.won, 4238); eq(c.lost, 2473)
end)

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
