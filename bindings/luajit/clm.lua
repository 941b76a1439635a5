-- clm.lua -- LuaJIT binding of clm, the customer lifecycle management engine.
--
--   local clm = require("clm")
--   local m = clm.model.preset("sales6")
--   print(m:id(), m:next_stage("presentation", "advance"))
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

local function raise(status, func)
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

return clm
