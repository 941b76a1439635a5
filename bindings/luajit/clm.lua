-- clm.lua -- LuaJIT binding of clm, the customer lifecycle management engine.
--
--   local clm = require("clm")
--   local m = clm.model.preset("sales6")
--   print(m:id(), m:next_stage("presentation", "advance"))
--   local p = clm.portfolio.new()
--   p:add_model(m)
--   p:apply{ customer_id = "acme", timestamp = "2024-05-01", type = "stage", value = "presentation" }
--   print(clm.policy.load("seeds"):recommend(p, "2024-06-10"))   -- JSON
--
-- The library: $CLM_LIBRARY (a path) when set, else ffi.load("clm"), else
-- "libclm.so.0". The C declarations come from clm_cdef.lua, generated from
-- include/clm/clm.h by gen_cdef.lua; every C function is callable raw as
-- clm.C.<name>. Failures are raised as clm.Error tables:
--   { status = 5, status_name = "CLM_E_NOT_FOUND", message = "clm_model_preset: ...",
--     func = "clm_model_preset", problems = { {file=, line=, column=, message=}, ... } }
-- tostring(err) is "STATUS_NAME: message". Handles are freed by the garbage
-- collector (ffi.gc) or at once with :free(), which is safe to call twice.
-- Indexes in this Lua API are 1-based (stage i is m:stages()[i]).

local ffi = require("ffi")

local modname = ... or "clm"
local prefix = modname:match("^(.-)[^.]*$") or ""
local defs = require(prefix .. "clm_cdef")

if not pcall(ffi.typeof, "clm_model") then
  ffi.cdef(defs.cdef)
end

local clm = {
  _VERSION = defs.version.string, -- the header this binding was generated from
  ffi = ffi,
  defs = defs,
  constants = defs.constants,
}

-- ---------------------------------------------------------------------------
-- Loading and version check
-- ---------------------------------------------------------------------------

local function load_library()
  local path = os.getenv("CLM_LIBRARY")
  if path and path ~= "" then
    local ok, lib = pcall(ffi.load, path)
    if not ok then error("clm: cannot load the clm C library from CLM_LIBRARY=" .. path .. ": " .. tostring(lib), 0) end
    return lib, path
  end
  local tried = {}
  for _, name in ipairs({ "clm", "libclm.so.0" }) do
    local ok, lib = pcall(ffi.load, name)
    if ok then return lib, name end
    tried[#tried + 1] = "  " .. name .. ": " .. tostring(lib)
  end
  error("clm: cannot load the clm C library (set CLM_LIBRARY to the path of libclm.so); tried:\n"
    .. table.concat(tried, "\n"), 0)
end

local C, library_path = load_library()
clm.C = C
clm.library_path = library_path

--- Raises unless library version `number` has major `want.major` and at least `want.minor`.
function clm.check_version(number, want)
  want = want or defs.version
  local major, minor, patch = math.floor(number / 10000), math.floor(number / 100) % 100, number % 100
  if major ~= want.major or minor < want.minor then
    error(string.format("clm: the library %s is version %d.%d.%d but this binding was generated from "
      .. "clm.h %s and needs %d.%d or a later %d.x (the major version must match)",
      tostring(library_path), major, minor, patch, want.string, want.major, want.minor, want.major), 0)
  end
end

do
  local ok, fn = pcall(function() return C.clm_version_number end)
  if not ok then error("clm: " .. tostring(library_path) .. " is not a clm library (no clm_version_number)", 0) end
  clm.check_version(tonumber(fn()))
  local missing = {}
  for _, name in ipairs(defs.functions) do
    if not pcall(function() return C[name] end) then missing[#missing + 1] = name end
  end
  if #missing > 0 then
    error("clm: the library " .. tostring(library_path) .. " lacks " .. table.concat(missing, ", "), 0)
  end
end

--- The library's version number, MAJOR*10000 + MINOR*100 + PATCH.
function clm.version() return tonumber(C.clm_version_number()) end
--- The library's version string, e.g. "0.1.0".
function clm.version_string() return ffi.string(C.clm_version_string()) end

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------

local Error = {}
Error.__index = Error
Error.__tostring = function(e) return e.status_name .. ": " .. e.message end
clm.Error = Error

--- Whether `x` is an error raised by this binding.
function clm.is_error(x) return getmetatable(x) == Error end

--- The constant's name of a status code, e.g. "CLM_E_PARSE".
function clm.status_name(status) return ffi.string(C.clm_status_name(status)) end
--- The message of the last failed call on this thread ("" after a success).
function clm.last_error() return ffi.string(C.clm_last_error()) end
--- The status of the last failed call on this thread, or 0.
function clm.last_status() return tonumber(C.clm_last_status()) end

--- Parses `NAME:LINE:COL: error: message` lines (`NAME: error: message` without a position).
function clm.parse_problems(report)
  local problems = {}
  for line in (report .. "\n"):gmatch("(.-)\n") do
    local file, l, c, msg = line:match("^(.-):(%d+):(%d+): error: (.*)$")
    if file then
      problems[#problems + 1] = { file = file, line = tonumber(l), column = tonumber(c), message = msg }
    else
      file, msg = line:match("^(.-): error: (.*)$")
      if file then problems[#problems + 1] = { file = file, message = msg } end
    end
  end
  return problems
end

local function raise(status, func, cause)
  status = tonumber(status)
  local message = clm.last_error()
  local body = message
  if body:sub(1, #func + 2) == func .. ": " then body = body:sub(#func + 3) end
  error(setmetatable({
    status = status,
    status_name = clm.status_name(status),
    message = message,
    func = func,
    problems = clm.parse_problems(body),
    cause = cause, -- the Lua error raised inside a host callback, if any
  }, Error), 3)
end

-- Calls C function `name`; raises a clm.Error when it returns a non-zero status.
local function call(name, ...)
  local status = C[name](...)
  if tonumber(status) ~= 0 then raise(status, name) end
end
clm.call = call

-- Takes a string returned through `char **out` and frees it.
local function take_string(out, len)
  local p = out[0]
  if p == nil then return "" end
  local s = len and ffi.string(p, len) or ffi.string(p)
  C.clm_string_free(p)
  return s
end

local function opt_string(s)
  if s == nil then return nil end
  return tostring(s)
end

-- ---------------------------------------------------------------------------
-- Enums
-- ---------------------------------------------------------------------------

local KIND_NAMES = { [0] = "open", "won", "lost", "dormant", "terminal" }
local KINDS = { open = 0, won = 1, lost = 2, dormant = 3, terminal = 4 }
local FORMATS = { text = 0, json = 1, dot = 2, mermaid = 3 }
clm.stage_kinds = KINDS
clm.formats = FORMATS

local function enum_value(map, v, what)
  if type(v) == "number" then return v end
  local n = map[tostring(v):lower()]
  if n == nil then error("clm: unknown " .. what .. " '" .. tostring(v) .. "'", 3) end
  return n
end

-- ---------------------------------------------------------------------------
-- Presets
-- ---------------------------------------------------------------------------

--- The ids of the preset models, in order.
function clm.presets()
  local ids = {}
  for i = 0, tonumber(C.clm_preset_count()) - 1 do
    local p = C.clm_preset_id(i)
    if p == nil then break end
    ids[#ids + 1] = ffi.string(p)
  end
  return ids
end

-- ---------------------------------------------------------------------------
-- Models
-- ---------------------------------------------------------------------------

local Model = {}
Model.__index = Model
Model.__tostring = function(m)
  if not m._h then return "clm.model (freed)" end
  return string.format("clm.model '%s' v%d", m:id(), m:version())
end
clm.Model = Model

local function adopt_model(ptr)
  return setmetatable({ _h = ffi.gc(ptr, C.clm_model_free) }, Model)
end

local model = {}
clm.model = model

--- A preset model (see clm.presets()).
function model.preset(id)
  local out = ffi.new("clm_model *[1]")
  call("clm_model_preset", out, id)
  return adopt_model(out[0])
end

--- A model from its JSON definition (CLM_E_PARSE / CLM_E_VALIDATION list every problem).
function model.from_json(text)
  local out = ffi.new("clm_model *[1]")
  call("clm_model_from_json", out, text, #text)
  return adopt_model(out[0])
end

--- A model from a preset id, else a JSON file path.
function model.load(preset_or_path)
  local out = ffi.new("clm_model *[1]")
  call("clm_model_load", out, preset_or_path)
  return adopt_model(out[0])
end

--- Checks a JSON definition: returns the array of problems ({} when valid) and its count.
function model.validate_json(text, name)
  local out = ffi.new("char *[1]")
  local count = ffi.new("size_t[1]")
  call("clm_model_validate_json", out, count, text, #text, opt_string(name))
  local problems = clm.parse_problems(take_string(out))
  return problems, tonumber(count[0])
end

function Model:handle()
  local h = self._h
  if h == nil then error("clm: use of a freed model", 3) end
  return h
end

--- Releases the model now (the garbage collector would otherwise). Safe twice.
function Model:free()
  local h = self._h
  if h ~= nil then
    self._h = nil
    ffi.gc(h, nil)
    C.clm_model_free(h)
  end
end

function Model:is_freed() return self._h == nil end

function Model:id() return ffi.string(C.clm_model_id(self:handle())) end
function Model:version() return tonumber(C.clm_model_version(self:handle())) end
function Model:name() return ffi.string(C.clm_model_name(self:handle())) end
function Model:stage_count() return tonumber(C.clm_model_stage_count(self:handle())) end

local function stage_id(h, index)
  local p = C.clm_model_stage_id(h, index)
  return p ~= nil and ffi.string(p) or nil
end

--- The stages: an array of { index (1-based), id, name, kind ("open"...),
--- task, time_limit_days (nil when none), probability (nil when none), requirements = {...} }.
function Model:stages()
  local h = self:handle()
  local stages = {}
  for i = 0, tonumber(C.clm_model_stage_count(h)) - 1 do
    local limit = tonumber(C.clm_model_stage_time_limit(h, i))
    local p = tonumber(C.clm_model_stage_probability(h, i))
    local reqs = {}
    for r = 0, tonumber(C.clm_model_stage_requirement_count(h, i)) - 1 do
      reqs[#reqs + 1] = ffi.string(C.clm_model_stage_requirement(h, i, r))
    end
    stages[i + 1] = {
      index = i + 1,
      id = ffi.string(C.clm_model_stage_id(h, i)),
      name = ffi.string(C.clm_model_stage_name(h, i)),
      kind = KIND_NAMES[tonumber(C.clm_model_stage_kind(h, i))],
      task = ffi.string(C.clm_model_stage_task(h, i)),
      time_limit_days = limit >= 0 and limit or nil,
      probability = p >= 0 and p or nil,
      requirements = reqs,
    }
  end
  return stages
end

--- The transitions: an array of { from = stage id, to = stage id, event = name }.
function Model:transitions()
  local h = self:handle()
  local from, to, event = ffi.new("size_t[1]"), ffi.new("size_t[1]"), ffi.new("const char *[1]")
  local result = {}
  for i = 0, tonumber(C.clm_model_transition_count(h)) - 1 do
    call("clm_model_transition", from, to, event, h, i)
    result[#result + 1] = { from = stage_id(h, from[0]), to = stage_id(h, to[0]), event = ffi.string(event[0]) }
  end
  return result
end

--- The id of the initial stage.
function Model:initial_stage()
  local h = self:handle()
  return stage_id(h, C.clm_model_initial_stage(h))
end

--- The 1-based index of a stage (CLM_E_NOT_FOUND for an unknown id).
function Model:find_stage(id)
  local out = ffi.new("size_t[1]")
  call("clm_model_find_stage", out, self:handle(), id)
  return tonumber(out[0]) + 1
end

--- The id of the stage `event` leads to from stage `from_id` (guards not checked).
function Model:next_stage(from_id, event)
  local h = self:handle()
  local out = ffi.new("size_t[1]")
  call("clm_model_find_stage", out, h, from_id)
  call("clm_model_next_stage", out, h, out[0], event)
  return stage_id(h, out[0])
end

--- Renders the model: fmt is "text" (default), "json", "dot", "mermaid" or a clm_model_format number.
function Model:render(fmt)
  local f = enum_value(FORMATS, fmt or "text", "format")
  local out, len = ffi.new("char *[1]"), ffi.new("size_t[1]")
  call("clm_model_render", out, len, self:handle(), f)
  return take_string(out, tonumber(len[0]))
end

--- The canonical JSON definition.
function Model:to_json() return self:render("json") end

--- Where a customer in `old_stage_id` of version `from_version` belongs in this model (a stage id).
function Model:migrate_stage(from_version, old_stage_id)
  local h = self:handle()
  local out = ffi.new("size_t[1]")
  call("clm_model_migrate_stage", out, h, from_version, old_stage_id)
  return stage_id(h, out[0])
end

--- The locales the model's text is written in, the default first: an array of tags.
function Model:locales()
  local h = self:handle()
  local result = {}
  for i = 0, tonumber(C.clm_model_locale_count(h)) - 1 do
    result[#result + 1] = ffi.string(C.clm_model_locale_at(h, i))
  end
  return result
end

--- The locale the name and the stages' names and tasks are shown in.
function Model:locale() return ffi.string(C.clm_model_locale(self:handle())) end

--- Shows the model's text in `locale` (one of :locales(); CLM_E_NOT_FOUND otherwise); returns the model.
function Model:set_locale(locale)
  call("clm_model_set_locale", self:handle(), locale)
  return self
end

-- ---------------------------------------------------------------------------
-- Model builder
-- ---------------------------------------------------------------------------

local Builder = {}
Builder.__index = Builder
clm.Builder = Builder

--- Starts a model `id` of `version` (default 1). Every method but :build() returns the builder.
function clm.builder(id, version)
  local out = ffi.new("clm_model_builder *[1]")
  call("clm_model_builder_new", out, id, version or 1)
  return setmetatable({ _h = ffi.gc(out[0], C.clm_model_builder_free) }, Builder)
end
model.builder = clm.builder

function Builder:handle()
  local h = self._h
  if h == nil then error("clm: use of a freed builder", 3) end
  return h
end

function Builder:free()
  local h = self._h
  if h ~= nil then
    self._h = nil
    ffi.gc(h, nil)
    C.clm_model_builder_free(h)
  end
end

function Builder:set_name(name)
  call("clm_model_builder_set_name", self:handle(), name); return self
end

--- Adds a stage; kind is "open" (default), "won", "lost", "dormant", "terminal" or a number.
function Builder:add_stage(id, name, kind, task)
  call("clm_model_builder_add_stage", self:handle(), id, opt_string(name), enum_value(KINDS, kind or "open", "stage kind"),
    opt_string(task))
  return self
end

function Builder:set_time_limit(id, days)
  call("clm_model_builder_set_time_limit", self:handle(), id, days); return self
end

function Builder:set_probability(id, p)
  call("clm_model_builder_set_probability", self:handle(), id, p); return self
end

function Builder:add_requirement(id, item)
  call("clm_model_builder_add_requirement", self:handle(), id, item); return self
end

function Builder:set_initial(id)
  call("clm_model_builder_set_initial", self:handle(), id); return self
end

function Builder:add_transition(from, to, event)
  call("clm_model_builder_add_transition", self:handle(), from, to, event); return self
end

function Builder:guard_requires(from, event, item)
  call("clm_model_builder_guard_requires", self:handle(), from, event, item); return self
end

function Builder:guard_min_days(from, event, days)
  call("clm_model_builder_guard_min_days", self:handle(), from, event, days); return self
end

function Builder:guard_predicate(from, event, predicate_name)
  call("clm_model_builder_guard_predicate", self:handle(), from, event, predicate_name); return self
end

function Builder:add_reason(from, event, reason, required)
  call("clm_model_builder_add_reason", self:handle(), from, event, opt_string(reason), required and 1 or 0)
  return self
end

function Builder:add_migration(from_version, old_id, new_id)
  call("clm_model_builder_add_migration", self:handle(), from_version, old_id, new_id); return self
end

--- Validates and builds the model (CLM_E_VALIDATION lists every problem); the builder stays usable.
function Builder:build()
  local out = ffi.new("clm_model *[1]")
  call("clm_model_builder_build", out, self:handle())
  return adopt_model(out[0])
end

-- ---------------------------------------------------------------------------
-- Portfolios
-- ---------------------------------------------------------------------------
--
--   local p = clm.portfolio.new()
--   p:add_model(clm.model.preset("sales6"))
--   p:apply{ customer_id = "acme", timestamp = "2024-05-01", type = "stage", value = "presentation" }
--   print(p:stage("acme"))                       --> presentation  0
--
-- Events are tables with the fields of clm_event (docs/event-log.md):
-- customer_id, timestamp, type, value, model, channel, manager, amount,
-- reason, due, note. Results that are JSON documents (customer, history,
-- export "json", the analyses, recommendations) come back as JSON strings.

local jit = require("jit")

local Portfolio = {}
Portfolio.__index = Portfolio
Portfolio.__tostring = function(p)
  if not p._h then return "clm.portfolio (freed)" end
  return string.format("clm.portfolio: %d models, %d customers, %d events", tonumber(C.clm_portfolio_model_count(p._h)),
    tonumber(C.clm_portfolio_customer_count(p._h)), tonumber(C.clm_portfolio_event_count(p._h)))
end
clm.Portfolio = Portfolio

local portfolio = {}
clm.portfolio = portfolio

-- A model owned by a portfolio: a borrowed view, never freed by Lua, that
-- keeps its portfolio alive and is invalidated when the portfolio is freed.
local ModelView = setmetatable({}, { __index = Model })
ModelView.__index = ModelView
ModelView.__tostring = function(m)
  if not m._h then return "clm.model (the portfolio's, freed)" end
  return string.format("clm.model '%s' v%d (the portfolio's)", m:id(), m:version())
end
function ModelView:free() self._h = nil end
function ModelView:set_locale()
  error("clm: a portfolio's model shows the portfolio's locale: use portfolio:set_locale()", 2)
end

local function adopt_portfolio(ptr)
  -- Callbacks made with ffi.cast are never collected: the finalizer frees
  -- them after the portfolio that may call them.
  local callbacks = {}
  local self = setmetatable({
    _callbacks = callbacks,
    _errors = {},
    _views = setmetatable({}, { __mode = "k" }),
  }, Portfolio)
  self._h = ffi.gc(ptr, function(h)
    C.clm_portfolio_free(h)
    for _, cb in pairs(callbacks) do cb:free() end
  end)
  return self
end

--- An empty portfolio.
function portfolio.new()
  local out = ffi.new("clm_portfolio *[1]")
  call("clm_portfolio_new", out)
  return adopt_portfolio(out[0])
end

--- Loads a saved portfolio (CLM_E_IO, CLM_E_CORRUPT, CLM_E_VERSION). Predicates are not saved.
function portfolio.load(path)
  local out = ffi.new("clm_portfolio *[1]")
  call("clm_portfolio_load", out, path)
  return adopt_portfolio(out[0])
end

function Portfolio:handle()
  local h = self._h
  if h == nil then error("clm: use of a freed portfolio", 3) end
  return h
end

--- Releases the portfolio now, with its predicates; its model views become freed. Safe twice.
function Portfolio:free()
  local h = self._h
  if h ~= nil then
    self._h = nil
    ffi.gc(h, nil)
    C.clm_portfolio_free(h)
    for name, cb in pairs(self._callbacks) do
      cb:free()
      self._callbacks[name] = nil
    end
    for view in pairs(self._views) do view._h = nil end
  end
end

function Portfolio:is_freed() return self._h == nil end

-- Calls a C function that may run host callbacks. Not JIT-compiled: LuaJIT
-- forbids a callback into Lua from a C call made inside a compiled trace.
local function call_cb(self, name, ...)
  local errors = self._errors
  for i = #errors, 1, -1 do errors[i] = nil end
  local status = C[name](...)
  if tonumber(status) ~= 0 then
    local cause = errors[#errors]
    for i = #errors, 1, -1 do errors[i] = nil end
    raise(status, name, cause)
  end
end
jit.off(call_cb)

--- Adds a model (the portfolio shares it); returns its 1-based slot. CLM_E_DUPLICATE for a second one with that id.
function Portfolio:add_model(m)
  local slot = ffi.new("size_t[1]")
  call("clm_portfolio_add_model", slot, self:handle(), m:handle())
  return tonumber(slot[0]) + 1
end

--- The portfolio's models (borrowed views; they keep the portfolio alive).
function Portfolio:models()
  local h = self:handle()
  local views = {}
  for i = 0, tonumber(C.clm_portfolio_model_count(h)) - 1 do
    local v = setmetatable({ _h = C.clm_portfolio_model(h, i), _owner = self }, ModelView)
    self._views[v] = true
    views[#views + 1] = v
  end
  return views
end

--- Moves every customer of the model with `newer`'s id to that newer version (all-or-nothing).
--- Shows every model's text (stage names and tasks in reports and recommendations) in `locale`.
--- All-or-nothing: CLM_E_NOT_FOUND naming a model's locales when one lacks it.
function Portfolio:set_locale(locale)
  call("clm_portfolio_set_locale", self:handle(), locale)
end

function Portfolio:migrate(newer)
  call("clm_portfolio_migrate", self:handle(), newer:handle())
end

--- Registers host predicate `name` for `predicate` guards (replacing one of the same name).
--- fn(customer_id, model_id, from_stage, to_stage, date) returns true to allow, false/nil to
--- refuse (CLM_E_GUARD_FAILED). A Lua error in fn never crosses C: the move fails with
--- CLM_E_CALLBACK and the error is in err.cause. fn must not use this portfolio.
function Portfolio:register_predicate(name, fn)
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    error("clm: a predicate must be a function", 2)
  end
  local errors = self._errors
  local cb = ffi.cast("clm_predicate_fn", function(customer, model_id, from, to, date)
    local ok, r = pcall(fn, ffi.string(customer), ffi.string(model_id), ffi.string(from), ffi.string(to), ffi.string(date))
    if not ok then
      errors[#errors + 1] = r
      return -1
    end
    if type(r) == "number" then return r ~= 0 and 1 or 0 end
    return r and 1 or 0
  end)
  local ok, err = pcall(call, "clm_portfolio_register_predicate", self:handle(), name, cb, nil)
  if not ok then
    cb:free()
    error(err, 2)
  end
  local old = self._callbacks[name]
  self._callbacks[name] = cb
  if old then old:free() end
end

local EVENT_FIELDS = { "customer_id", "timestamp", "type", "value", "model", "channel", "manager", "reason", "due", "note", "account" }
local EVENT_KEYS = { amount = true }
for _, k in ipairs(EVENT_FIELDS) do EVENT_KEYS[k] = true end

-- Fills a clm_event from a Lua table; `anchors` keeps the strings alive during the call.
local function fill_event(ev, t, anchors, where)
  if type(t) ~= "table" then error("clm: " .. where .. " must be a table {customer_id=, timestamp=, type=, ...}", 4) end
  for k in pairs(t) do
    if not EVENT_KEYS[k] then error("clm: " .. where .. ": unknown field '" .. tostring(k) .. "'", 4) end
  end
  ev.struct_size = ffi.sizeof("clm_event")
  for _, k in ipairs(EVENT_FIELDS) do
    local v = t[k]
    if v ~= nil then
      v = tostring(v)
      anchors[#anchors + 1] = v
    end
    ev[k] = v
  end
  if t.amount ~= nil then
    local a = tonumber(t.amount)
    if a == nil then error("clm: " .. where .. ": amount must be a number", 4) end
    ev.amount, ev.has_amount = a, 1
  else
    ev.amount, ev.has_amount = 0, 0
  end
end

local function rejections(report)
  local list = {}
  for line in report:gmatch("[^\n]+") do list[#list + 1] = line end
  return list
end

--- Applies one event table; errors (illegal move, failed guard, bad field) change nothing.
function Portfolio:apply(event)
  local ev, anchors = ffi.new("clm_event"), {}
  fill_event(ev, event, anchors, "the event")
  call_cb(self, "clm_portfolio_apply", self:handle(), ev)
end

--- Applies an array of event tables in order; all-or-nothing unless skip_bad.
--- Returns the number applied and the rejections (an array of "event INDEX: message" lines, 0-based).
function Portfolio:apply_batch(events, skip_bad)
  local n = #events
  local evs, anchors = ffi.new("clm_event[?]", math.max(n, 1)), {}
  for i = 1, n do fill_event(evs[i - 1], events[i], anchors, "event " .. i) end
  local applied, report = ffi.new("size_t[1]"), ffi.new("char *[1]")
  call_cb(self, "clm_portfolio_apply_batch", applied, report, self:handle(), evs, n, skip_bad and 1 or 0)
  return tonumber(applied[0]), rejections(take_string(report))
end

--- Imports event-log CSV text (`name` is used in messages). Returns the number applied and
--- the rejections ("NAME:LINE: message" lines) when skip_bad; otherwise all-or-nothing.
function Portfolio:import_csv(text, name, skip_bad)
  local applied, report = ffi.new("size_t[1]"), ffi.new("char *[1]")
  call_cb(self, "clm_portfolio_import_csv", applied, report, self:handle(), text, #text, opt_string(name), skip_bad and 1 or 0)
  return tonumber(applied[0]), rejections(take_string(report))
end

--- Like import_csv, from a file (CLM_E_IO when it cannot be read).
function Portfolio:import_csv_file(path, skip_bad)
  local applied, report = ffi.new("size_t[1]"), ffi.new("char *[1]")
  call_cb(self, "clm_portfolio_import_csv_file", applied, report, self:handle(), path, skip_bad and 1 or 0)
  return tonumber(applied[0]), rejections(take_string(report))
end

local function json_call(self, name, ...)
  local out, len = ffi.new("char *[1]"), ffi.new("size_t[1]")
  call(name, out, len, self:handle(), ...)
  return take_string(out, tonumber(len[0]))
end

--- The journal as an event-log CSV.
function Portfolio:export_events() return json_call(self, "clm_portfolio_export_events") end

--- The customer ids, in the order they first appeared.
function Portfolio:customers()
  local h = self:handle()
  local ids = {}
  for i = 0, tonumber(C.clm_portfolio_customer_count(h)) - 1 do ids[i + 1] = ffi.string(C.clm_portfolio_customer_id(h, i)) end
  return ids
end

function Portfolio:customer_count() return tonumber(C.clm_portfolio_customer_count(self:handle())) end
function Portfolio:event_count() return tonumber(C.clm_portfolio_event_count(self:handle())) end

-- The model named model_id (or the only one), or nil.
local function model_ptr(h, model_id)
  local n = tonumber(C.clm_portfolio_model_count(h))
  if model_id == nil then return n == 1 and C.clm_portfolio_model(h, 0) or nil end
  for i = 0, n - 1 do
    local m = C.clm_portfolio_model(h, i)
    if ffi.string(C.clm_model_id(m)) == model_id then return m end
  end
  return nil
end

--- A customer's stage id in a model as of a date (nil when not in the model then) and the days in it.
--- model_id may be nil when the portfolio has one model; as_of nil means after every event.
function Portfolio:stage(customer_id, model_id, as_of)
  local h = self:handle()
  local st, days = ffi.new("size_t[1]"), ffi.new("int64_t[1]")
  call("clm_portfolio_stage", st, days, h, customer_id, opt_string(model_id), opt_string(as_of))
  if st[0] == ffi.cast("size_t", -1) then return nil, tonumber(days[0]) end
  return stage_id(model_ptr(h, model_id), st[0]), tonumber(days[0])
end

--- Customers per stage as of a date: a table stage id -> count, and the stage ids in model order.
function Portfolio:stage_counts(model_id, as_of)
  local h = self:handle()
  local m = model_ptr(h, model_id)
  local n = m ~= nil and tonumber(C.clm_model_stage_count(m)) or 0
  local counts = ffi.new("size_t[?]", math.max(n, 1))
  -- With no model resolved, capacity 0 makes the library raise the right error.
  call("clm_portfolio_stage_counts", counts, n, nil, h, opt_string(model_id), opt_string(as_of))
  local by_id, order = {}, {}
  for i = 0, n - 1 do
    local id = stage_id(m, i)
    by_id[id] = tonumber(counts[i])
    order[i + 1] = id
  end
  return by_id, order
end

--- Everything known about a customer as of a date, as a JSON string.
function Portfolio:customer(customer_id, as_of)
  return json_call(self, "clm_portfolio_customer_json", customer_id, opt_string(as_of))
end

--- A customer's full history (oldest first), as a JSON array string.
function Portfolio:history(customer_id) return json_call(self, "clm_portfolio_history_json", customer_id) end

--- The export with maturity markers: fmt "csv" (default) or "json".
function Portfolio:export(as_of, fmt)
  local f = enum_value({ csv = 0, json = 1 }, fmt or "csv", "export format")
  return json_call(self, "clm_portfolio_export", opt_string(as_of), f)
end

--- Saves the portfolio atomically (CLM_E_IO).
function Portfolio:save(path) call("clm_portfolio_save", self:handle(), path) end

-- The journal as a host's store of record (docs/embedding.md): save bytes,
-- sequence numbers and the cursor, the observer, erasure.

--- The save-file bytes, as a Lua string (what save() writes), for a database column.
function Portfolio:save_bytes() return json_call(self, "clm_portfolio_save_buffer") end

--- Loads a portfolio from save bytes, verified like a file (CLM_E_CORRUPT, CLM_E_VERSION).
function portfolio.load_bytes(data, name)
  if type(data) ~= "string" then error("clm: save bytes must be a string", 2) end
  local out = ffi.new("clm_portfolio *[1]")
  call("clm_portfolio_load_buffer", out, data, #data, opt_string(name))
  return adopt_portfolio(out[0])
end

--- The newest sequence number (rows are numbered from 1 in apply order; 0 before any).
function Portfolio:last_seq() return tonumber(C.clm_portfolio_last_seq(self:handle())) end

--- The sequence number of the last row the observer accepted.
function Portfolio:observed_seq() return tonumber(C.clm_portfolio_observed_seq(self:handle())) end

local function opt_lua_string(p)
  if p == nil then return nil end
  return ffi.string(p)
end

-- A clm_change as a Lua table {seq=, event={customer_id=, timestamp=, type=, value=, ...},
-- model=, from_stage=, to_stage=}; event is a table apply() accepts.
local function change_table(c)
  local e = c.event
  local event = {}
  for _, k in ipairs(EVENT_FIELDS) do
    local v = opt_lua_string(e[k])
    if v ~= nil and v ~= "" then event[k] = v end
  end
  if e.has_amount ~= 0 then event.amount = tonumber(e.amount) end
  return { seq = tonumber(c.seq), event = event, model = opt_lua_string(c.model),
           from_stage = opt_lua_string(c.from_stage), to_stage = opt_lua_string(c.to_stage) }
end

--- The rows after sequence number `seq` (default 0), oldest first, at most `limit` (0 or nil: all),
--- as an array of change tables. CLM_E_INVALID_ARGUMENT for a seq beyond last_seq().
function Portfolio:events_since(seq, limit)
  local rows = {}
  local cb = ffi.cast("clm_change_fn", function(c)
    local ok, r = pcall(change_table, c)
    if not ok then
      self._errors[#self._errors + 1] = r
      return -1
    end
    rows[#rows + 1] = r
    return 0
  end)
  local ok, err = pcall(call_cb, self, "clm_portfolio_events_since", nil, self:handle(), seq or 0, limit or 0, cb, nil)
  cb:free()
  if not ok then error(err, 2) end
  return rows
end

--- Sets (or with nil removes) the observer: fn(change) is called once per committed row, in
--- order, after the commit (a batch: after all of it). A Lua error in fn never undoes a
--- commit: the call returns normally, the error goes to self.observer_errors, and the rows
--- from the refused one on are offered again, first, on the next commit.
function Portfolio:set_observer(fn)
  local h = self:handle()
  local old = self._callbacks["\0observer"]
  if fn == nil then
    call("clm_portfolio_set_observer", h, nil, nil)
    self._callbacks["\0observer"] = nil
    if old then old:free() end
    return
  end
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    error("clm: an observer must be a function", 2)
  end
  self.observer_errors = self.observer_errors or {}
  local errors = self.observer_errors
  local cb = ffi.cast("clm_change_fn", function(c)
    local ok, r = pcall(function() fn(change_table(c)) end)
    if not ok then
      errors[#errors + 1] = r
      return -1
    end
    return 0
  end)
  call("clm_portfolio_set_observer", h, cb, nil)
  self._callbacks["\0observer"] = cb
  if old then old:free() end
end

--- Erases a customer, their rows and the text only they used (CLM_E_NOT_FOUND when unknown).
function Portfolio:erase_customer(customer_id) call("clm_portfolio_erase_customer", self:handle(), customer_id) end

--- Sets the zone the portfolio keeps its times in: "Z"/"UTC" (default) or "+hh:mm"/"-hh:mm".
--- Timestamps with a UTC offset are converted into it. Not saved: set it again after a load.
function Portfolio:set_time_zone(offset) call("clm_portfolio_set_time_zone", self:handle(), offset) end
-- Refuses late events (older than their customer's last one) when strict; by
-- default they are folded in at their time (docs/event-log.md, "Late events").
function Portfolio:set_strict_time_order(strict) call("clm_portfolio_set_strict_time_order", self:handle(), strict and 1 or 0) end

--- Imports an event-log CSV from a stream, 1 MiB at a time (bounded memory; all-or-nothing
--- unless skip_bad). `read(capacity)` returns the next string of at most `capacity` bytes, or
--- nil / "" at the end (a file: function(n) return f:read(n) end). `progress(bytes_read)`
--- returning true cancels (CLM_E_CANCELLED). Returns the number applied, the rejections and
--- the warnings (values in columns a row's type does not use), each an array of lines.
function Portfolio:import_csv_stream(read, name, skip_bad, progress)
  if type(read) ~= "function" then error("clm: read must be a function", 2) end
  local errors = self._errors
  local read_cb = ffi.cast("clm_read_fn", function(buffer, capacity)
    local ok, chunk = pcall(read, tonumber(capacity))
    if not ok then
      errors[#errors + 1] = chunk
      return -1
    end
    if chunk == nil then return 0 end
    if type(chunk) ~= "string" or #chunk > tonumber(capacity) then
      errors[#errors + 1] = "clm: read must return a string of at most " .. tostring(capacity) .. " bytes"
      return -1
    end
    ffi.copy(buffer, chunk, #chunk)
    return #chunk
  end)
  local progress_cb = nil
  if progress ~= nil then
    progress_cb = ffi.cast("clm_progress_fn", function(done)
      local ok, stop = pcall(progress, tonumber(done))
      if not ok then
        errors[#errors + 1] = stop
        return 1
      end
      return stop and 1 or 0
    end)
  end
  local applied, report, warnings = ffi.new("size_t[1]"), ffi.new("char *[1]"), ffi.new("char *[1]")
  local ok, err = pcall(call_cb, self, "clm_portfolio_import_csv_stream", applied, report, warnings, self:handle(),
    read_cb, nil, opt_string(name), skip_bad and 1 or 0, progress_cb, nil)
  read_cb:free()
  if progress_cb then progress_cb:free() end
  if not ok then error(err, 2) end
  return tonumber(applied[0]), rejections(take_string(report)), rejections(take_string(warnings))
end

-- Analytics (docs/analytics.md), each a JSON string.
function Portfolio:funnel(model_id, as_of)
  return json_call(self, "clm_portfolio_funnel_json", opt_string(model_id), opt_string(as_of))
end
--- The funnel's stages as tables read through clm_portfolio_funnel_list (no JSON): each
--- {id, name, entered, current, lost_from, median_days, conversion_rate} (nil when unknown).
function Portfolio:funnel_list(model_id, as_of)
  local out = ffi.new("clm_funnel_list *[1]")
  call("clm_portfolio_funnel_list", out, self:handle(), opt_string(model_id), opt_string(as_of))
  local list = ffi.gc(out[0], C.clm_funnel_list_free)
  local result = {}
  local s = ffi.new("clm_funnel_stage")
  for i = 0, tonumber(C.clm_funnel_list_count(list)) - 1 do
    s.struct_size = ffi.sizeof("clm_funnel_stage")
    call("clm_funnel_list_get", list, i, s)
    local nan_or = function(x) x = tonumber(x); if x ~= x then return nil end; return x end
    result[#result + 1] = {
      id = ffi.string(s.id), name = ffi.string(s.name), entered = tonumber(s.entered), current = tonumber(s.current),
      lost_from = tonumber(s.lost_from), median_days = nan_or(s.median_days), conversion_rate = nan_or(s.conversion_rate),
    }
  end
  C.clm_funnel_list_free(ffi.gc(list, nil))
  return result
end
function Portfolio:time_in_stage(model_id, as_of)
  return json_call(self, "clm_portfolio_time_in_stage_json", opt_string(model_id), opt_string(as_of))
end
function Portfolio:dynamics(from, to, model_id)
  return json_call(self, "clm_portfolio_dynamics_json", opt_string(model_id), from, opt_string(to))
end
function Portfolio:plan_actual(plan_json, model_id)
  return json_call(self, "clm_portfolio_plan_actual_json", opt_string(model_id), plan_json, #plan_json)
end
function Portfolio:value(as_of) return json_call(self, "clm_portfolio_value_json", opt_string(as_of)) end
function Portfolio:forecast(model_id, as_of)
  return json_call(self, "clm_portfolio_forecast_json", opt_string(model_id), opt_string(as_of))
end
--- Every open customer's p_won by stage and days in stage (JSON text, `clm forecast --per-customer --json`).
function Portfolio:forecast_customers(model_id, as_of)
  return json_call(self, "clm_portfolio_forecast_customers_json", opt_string(model_id), opt_string(as_of))
end
--- Imports the rows of the event-log files (a list of paths) that belong to part `part` of `parts`
--- (by a stable hash of the customer's account as of `as_of`, else of the id; docs/distributed.md).
function Portfolio:import_partition(files, as_of, part, parts)
  local array = ffi.new("const char *[?]", math.max(#files, 1))
  for i, f in ipairs(files) do array[i - 1] = f end
  call("clm_portfolio_import_partition", self:handle(), array, #files, as_of, part, parts)
end

--- The partial result (JSON text) of `analysis` over this part; "forecast" needs `fit`, the merged forecast-fit partial.
function Portfolio:partial(analysis, as_of, model_id, fit)
  return json_call(self, "clm_portfolio_partial_json", opt_string(model_id), analysis, as_of, fit, fit and #fit or 0)
end

--- The backtest from `as_of` to `until_date` (nil: the newest event's date); `policy` optional (JSON text, `clm backtest --json`).
function Portfolio:backtest(as_of, until_date, model_id, policy)
  return json_call(self, "clm_portfolio_backtest_json", opt_string(model_id), as_of, opt_string(until_date),
                   policy and policy:handle() or nil)
end

-- ---------------------------------------------------------------------------
-- Policies
-- ---------------------------------------------------------------------------
--
--   local pol = clm.policy.load("seeds")
--   local json = pol:recommend(p, "2024-06-10", { manager = "Ann", limit = 5 })

local Policy = {}
Policy.__index = Policy
Policy.__tostring = function(p)
  if not p._h then return "clm.policy (freed)" end
  return string.format("clm.policy '%s' (%d rules)", p:id(), tonumber(C.clm_policy_rule_count(p._h)))
end
clm.Policy = Policy

local policy = {}
clm.policy = policy

local function adopt_policy(ptr)
  return setmetatable({ _h = ffi.gc(ptr, C.clm_policy_free) }, Policy)
end

--- The ids of the preset policies ("seeds").
function policy.presets()
  local ids = {}
  for i = 0, tonumber(C.clm_policy_preset_count()) - 1 do ids[#ids + 1] = ffi.string(C.clm_policy_preset_id(i)) end
  return ids
end

--- A preset policy id or a JSON policy file.
function policy.load(preset_or_path)
  local out = ffi.new("clm_policy *[1]")
  call("clm_policy_load", out, preset_or_path)
  return adopt_policy(out[0])
end

--- A policy from its JSON text (CLM_E_PARSE / CLM_E_VALIDATION list every problem).
function policy.from_json(text)
  local out = ffi.new("clm_policy *[1]")
  call("clm_policy_from_json", out, text, #text)
  return adopt_policy(out[0])
end

--- Checks a JSON policy: returns the array of problems ({} when valid) and its count.
function policy.validate_json(text, name)
  local out, count = ffi.new("char *[1]"), ffi.new("size_t[1]")
  call("clm_policy_validate_json", out, count, text, #text, opt_string(name))
  return clm.parse_problems(take_string(out)), tonumber(count[0])
end

function Policy:handle()
  local h = self._h
  if h == nil then error("clm: use of a freed policy", 3) end
  return h
end

function Policy:free()
  local h = self._h
  if h ~= nil then
    self._h = nil
    ffi.gc(h, nil)
    C.clm_policy_free(h)
  end
end

function Policy:is_freed() return self._h == nil end
function Policy:id() return ffi.string(C.clm_policy_id(self:handle())) end

--- The rule ids, in policy order.
function Policy:rules()
  local h = self:handle()
  local ids = {}
  for i = 0, tonumber(C.clm_policy_rule_count(h)) - 1 do ids[i + 1] = ffi.string(C.clm_policy_rule_id(h, i)) end
  return ids
end

-- The C call with a progress callback; not JIT-compiled (see call_cb).
local function recommend_call(out, len, h, ph, as_of, opts)
  return C.clm_policy_recommend(out, len, h, ph, as_of, opts)
end
jit.off(recommend_call)

--- Ranked next actions for the portfolio as of a date, as a JSON string
--- {"as_of","policy","count","recommendations":[...]}. opts (optional): manager, limit,
--- threads, per_customer (recommendations per customer; 0: the policy's), progress = function(done, total) returning true to cancel (CLM_E_CANCELLED).
--- A Lua error in progress cancels and is raised again as is.
function Policy:recommend(p, as_of, opts)
  opts = opts or {}
  local o = ffi.new("clm_recommend_options")
  o.struct_size = ffi.sizeof("clm_recommend_options")
  local manager = opt_string(opts.manager)
  o.manager = manager
  o.limit = opts.limit or 0
  o.threads = opts.threads or 0
  o.per_customer = opts.per_customer or 0
  local cb, failure
  if opts.progress then
    local fn = opts.progress
    cb = ffi.cast("clm_progress_fn", function(done, total)
      local ok, r = pcall(fn, tonumber(done), tonumber(total))
      if not ok then
        failure = failure or { r }
        return 1
      end
      return r and 1 or 0
    end)
    o.progress = cb
  end
  local out, len = ffi.new("char *[1]"), ffi.new("size_t[1]")
  local status = recommend_call(out, len, self:handle(), p:handle(), opt_string(as_of), o)
  if cb then cb:free() end
  if failure then error(failure[1], 2) end
  if tonumber(status) ~= 0 then raise(status, "clm_policy_recommend") end
  return take_string(out, tonumber(len[0]))
end

--- Ranked next actions for one customer as of a date, as a JSON string (CLM_E_NOT_FOUND).
function Policy:recommend_customer(p, customer_id, as_of)
  local out, len = ffi.new("char *[1]"), ffi.new("size_t[1]")
  call("clm_policy_recommend_customer", out, len, self:handle(), p:handle(), customer_id, opt_string(as_of))
  return take_string(out, tonumber(len[0]))
end

--- A manager's week (the Monday of `week`) within `hours` (nil or 0: the policy's), as a JSON string.
function Policy:plan_week(p, manager, week, hours)
  local out, len = ffi.new("char *[1]"), ffi.new("size_t[1]")
  call("clm_policy_plan_week", out, len, self:handle(), p:handle(), manager, opt_string(week), hours or 0)
  return take_string(out, tonumber(len[0]))
end

-- Typed results (clm_*_list): tables read through the C accessors, no JSON.
local function opt_cstring(p)
  if p == nil then return nil end
  return ffi.string(p)
end
local function opt_number(x)
  x = tonumber(x)
  if x ~= x then return nil end -- NaN: unknown
  return x
end

local function read_reason(r)
  return {
    id = ffi.string(r.id), fact = ffi.string(r.fact), op = ffi.string(r.op),
    threshold = opt_number(r.threshold), threshold_text = opt_cstring(r.threshold_text),
    actual = opt_number(r.actual), actual_text = opt_cstring(r.actual_text),
    subject = opt_cstring(r.subject), text = ffi.string(r.text),
  }
end

-- Entry i (0-based) of a recommendation or plan list, with its reasons.
local function read_recommendation(get, get_reason, list, i)
  local r = ffi.new("clm_recommendation")
  r.struct_size = ffi.sizeof("clm_recommendation")
  call(get, list, i, r)
  local t = {
    rank = tonumber(r.rank), customer_id = ffi.string(r.customer_id), account = opt_cstring(r.account),
    manager = ffi.string(r.manager), class = ffi.string(r.customer_class), model = opt_cstring(r.model),
    stage = opt_cstring(r.stage), rule = ffi.string(r.rule), scope = ffi.string(r.scope), kind = ffi.string(r.kind),
    channel = ffi.string(r.channel), goal = ffi.string(r.goal), product = ffi.string(r.product),
    document = ffi.string(r.document), target_stage = ffi.string(r.target_stage), due = ffi.string(r.due),
    task = ffi.string(r.task), why = ffi.string(r.why), priority = tonumber(r.priority), score = tonumber(r.score),
    urgency = tonumber(r.urgency), value = tonumber(r.value), p_won = opt_number(r.p_won),
    alternative_count = tonumber(r.alternative_count), reasons = {},
  }
  local c = ffi.new("clm_reason")
  for k = 0, tonumber(r.reason_count) - 1 do
    c.struct_size = ffi.sizeof("clm_reason")
    call(get_reason, list, i, k, c)
    t.reasons[#t.reasons + 1] = read_reason(c)
  end
  return t
end

--- The ranked recommendations as tables read through clm_policy_recommend_list (no JSON):
--- each with its `reasons` as codes {id, fact, op, threshold, threshold_text, actual,
--- actual_text, subject, text}. opts (optional): manager, limit, per_customer.
function Policy:recommend_list(p, as_of, opts)
  opts = opts or {}
  local o = ffi.new("clm_recommend_options")
  o.struct_size = ffi.sizeof("clm_recommend_options")
  o.manager = opts.manager
  o.limit = opts.limit or 0
  o.per_customer = opts.per_customer or 0
  local out = ffi.new("clm_recommendation_list *[1]")
  call("clm_policy_recommend_list", out, self:handle(), p:handle(), opt_string(as_of), o)
  local list = ffi.gc(out[0], C.clm_recommendation_list_free)
  local result = {}
  for i = 0, tonumber(C.clm_recommendation_list_count(list)) - 1 do
    result[#result + 1] = read_recommendation("clm_recommendation_list_get", "clm_recommendation_list_reason", list, i)
  end
  C.clm_recommendation_list_free(ffi.gc(list, nil))
  return result
end

--- A manager's week as tables read through clm_policy_plan_week_list: the planned entries
--- first, then those not fitted; each {planned, day, minutes, not_fitted_because, recommendation}.
--- Also returns the capacity and the planned minutes.
function Policy:plan_week_list(p, manager, week, hours)
  local out = ffi.new("clm_plan_list *[1]")
  call("clm_policy_plan_week_list", out, self:handle(), p:handle(), manager, opt_string(week), hours or 0)
  local list = ffi.gc(out[0], C.clm_plan_list_free)
  local planned_minutes = ffi.new("double[1]")
  local capacity = tonumber(C.clm_plan_list_capacity_minutes(list, planned_minutes))
  local result = {}
  local e = ffi.new("clm_plan_entry")
  for i = 0, tonumber(C.clm_plan_list_count(list)) - 1 do
    e.struct_size = ffi.sizeof("clm_plan_entry")
    call("clm_plan_list_get", list, i, e)
    result[#result + 1] = {
      planned = e.planned ~= 0, day = opt_cstring(e.day), minutes = tonumber(e.minutes),
      not_fitted_because = opt_cstring(e.not_fitted_because),
      recommendation = read_recommendation("clm_plan_list_recommendation", "clm_plan_list_reason", list, i),
    }
  end
  C.clm_plan_list_free(ffi.gc(list, nil))
  return result, capacity, tonumber(planned_minutes[0])
end

-- ---------------------------------------------------------------------------
-- Partial results (docs/distributed.md)
-- ---------------------------------------------------------------------------

--- The part in [0, parts) of a partition key (an account, else a customer id).
function clm.partition_of(key, parts)
  local out = ffi.new("uint32_t[1]")
  call("clm_partition_of", out, key, #key, parts)
  return tonumber(out[0])
end

--- The merge of two partials (JSON text) of the same analysis, model and date.
function clm.merge_partials(a, b)
  local out, len = ffi.new("char *[1]"), ffi.new("size_t[1]")
  call("clm_partial_merge_json", out, len, a, #a, b, #b)
  return take_string(out, tonumber(len[0]))
end

--- The whole portfolio's document for a merged partial: what `clm COMMAND --json` prints (indent 2 by default).
function clm.finish_partial(model, partial, indent)
  local out, len = ffi.new("char *[1]"), ffi.new("size_t[1]")
  call("clm_partial_finish_json", out, len, model:handle(), partial, #partial, indent or 2)
  return take_string(out, tonumber(len[0]))
end

return clm
