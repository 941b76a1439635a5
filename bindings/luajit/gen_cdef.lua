-- gen_cdef.lua -- generates clm_cdef.lua (the ffi.cdef of clm) from include/clm/clm.h.
--
--   luajit bindings/luajit/gen_cdef.lua [HEADER [OUT]]           write OUT
--   luajit bindings/luajit/gen_cdef.lua --check [HEADER [OUT]]   exit 1 when OUT is stale
--
-- HEADER defaults to $CLM_HEADER, else ../../include/clm/clm.h from this
-- script; OUT to clm_cdef.lua beside this script.
--
-- What it does to the header: removes comments; drops every preprocessor
-- line (continuations included) and whatever sits inside `#ifdef
-- __cplusplus` (the extern "C" guard); removes CLM_API. Declarations inside
-- any other #if are refused, because the cdef could not know which branch
-- applies. Object-like #defines with an integer or string value (or an
-- arithmetic of earlier ones) become `constants`; others (CLM_NONE's cast,
-- CLM_EVENT_INIT's initialiser list, CLM_API) are left out.
--
-- Also usable as a module: require("gen_cdef").generate(header_text).

local M = {}

local function script_dir()
  local src = debug.getinfo(1, "S").source
  local dir = src:match("^@(.*)[/\\][^/\\]*$")
  return dir or "."
end

-- Removes /* */ and // comments, keeping string and character literals intact.
local function strip_comments(text)
  local out, i, n = {}, 1, #text
  while i <= n do
    local c, c2 = text:sub(i, i), text:sub(i, i + 1)
    if c2 == "/*" then
      local j = text:find("*/", i + 2, true)
      if not j then error("gen_cdef: unterminated comment", 0) end
      -- keep the newlines so that line structure survives
      local _, nl = text:sub(i, j + 1):gsub("\n", "")
      out[#out + 1] = nl > 0 and string.rep("\n", nl) or " "
      i = j + 2
    elseif c2 == "//" then
      local j = text:find("\n", i, true) or (n + 1)
      i = j
    elseif c == '"' or c == "'" then
      local j = i + 1
      while j <= n do
        local d = text:sub(j, j)
        if d == "\\" then j = j + 2
        elseif d == c then break
        else j = j + 1 end
      end
      out[#out + 1] = text:sub(i, j)
      i = j + 1
    else
      -- up to the next character that may start a comment or a literal; a lone '/' is text
      local j = text:find("[/\"']", i + 1) or (n + 1)
      out[#out + 1] = text:sub(i, j - 1)
      i = j
    end
  end
  return table.concat(out)
end

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- Evaluates a #define value: an integer (u/U/l/L suffixes allowed), a string
-- literal, or + - * / ( ) over integers and earlier integer constants.
local function constant_value(value, constants)
  value = trim(value)
  local str = value:match('^"([^"\\]*)"$')
  if str then return str end
  local expr = value:gsub("(%d+)[uUlL]+", "%1"):gsub("[%a_][%w_]*", function(name)
    local v = constants[name]
    if type(v) == "number" then return tostring(v) end
    return nil
  end)
  if expr:find("[^%d%s%+%-%*/%(%)]") or not expr:find("%d") then return nil end
  local f = loadstring("return " .. expr)
  if not f then return nil end
  local ok, v = pcall(f)
  if ok and type(v) == "number" and v == math.floor(v) then return v end
  return nil
end

--- Parses clm.h text; returns { cdef = string, functions = {names}, constants = {NAME = value} }.
function M.parse(text)
  text = strip_comments(text:gsub("\r\n", "\n"))
  text = text:gsub("\\\n", " ") -- join continuation lines

  local lines, stack, constants, order = {}, {}, {}, {}
  local function dropped()
    for _, k in ipairs(stack) do if k == "drop" then return true end end
    return false
  end
  local function unknown()
    for _, k in ipairs(stack) do if k == "unknown" then return true end end
    return false
  end
  local lineno = 0
  for line in (text .. "\n"):gmatch("(.-)\n") do
    lineno = lineno + 1
    local directive, rest = line:match("^%s*#%s*(%a+)(.*)$")
    if directive then
      rest = trim(rest)
      if directive == "ifdef" or directive == "ifndef" or directive == "if" then
        local is_cpp = rest:find("__cplusplus", 1, true) ~= nil
        local negated = directive == "ifndef" or rest:match("^!%s*defined") ~= nil
        if is_cpp then
          stack[#stack + 1] = negated and "keep" or "drop"
        elseif directive == "ifndef" and #stack == 0 then
          stack[#stack + 1] = "keep" -- the include guard
        else
          stack[#stack + 1] = "unknown"
        end
      elseif directive == "else" or directive == "elif" then
        local top = stack[#stack]
        if top == "drop" then stack[#stack] = "keep"
        elseif top == "keep" then stack[#stack] = "drop" end
      elseif directive == "endif" then
        stack[#stack] = nil
      elseif directive == "define" and not dropped() then
        local name, value = rest:match("^([%a_][%w_]*)(.*)$")
        if name and not value:match("^%(") then -- not function-like
          local v = constant_value(value, constants)
          if v ~= nil and not unknown() then
            if constants[name] == nil then order[#order + 1] = name end
            constants[name] = v
          end
        end
      end
    elseif not dropped() then
      if unknown() and line:find("%S") then
        error("gen_cdef: line " .. lineno .. ": a declaration inside an #if gen_cdef cannot evaluate: " .. trim(line), 0)
      end
      lines[#lines + 1] = (line:gsub("%s+$", ""))
    end
  end
  if #stack ~= 0 then error("gen_cdef: unbalanced #if/#endif", 0) end

  -- collapse blank lines (none inside braces or parentheses), trim the ends
  local out, blank, depth = {}, false, 0
  for _, l in ipairs(lines) do
    if l == "" then
      blank = #out > 0 and depth == 0
    else
      if blank then out[#out + 1] = "" end
      out[#out + 1] = l
      blank = false
      local stripped = l:gsub('"[^"]*"', "")
      local _, open = stripped:gsub("[{(]", "")
      local _, close = stripped:gsub("[})]", "")
      depth = depth + open - close
    end
  end
  local body = table.concat(out, "\n") .. "\n"

  -- functions: the declarations that carry CLM_API, in header order
  local functions = {}
  for decl in body:gmatch("%f[%w_]CLM_API%f[^%w_]([^;]*);") do
    local name = decl:match("([%a_][%w_]*)%s*%(")
    if name then functions[#functions + 1] = name end
  end
  local cdef = body:gsub("%f[%w_]CLM_API%f[^%w_]%s*", "")
  return { cdef = cdef, functions = functions, constants = constants, constant_order = order }
end

local function quote(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

--- The text of clm_cdef.lua for a header's text.
function M.generate(text)
  local p = M.parse(text)
  local c = p.constants
  for _, k in ipairs({ "CLM_VERSION_MAJOR", "CLM_VERSION_MINOR", "CLM_VERSION_PATCH", "CLM_VERSION_STRING" }) do
    if c[k] == nil then error("gen_cdef: the header has no #define " .. k, 0) end
  end
  local level = 0
  while p.cdef:find("]" .. string.rep("=", level) .. "]", 1, true) do level = level + 1 end
  local eq = string.rep("=", level)

  local b = {}
  b[#b + 1] = "-- clm_cdef.lua -- GENERATED from include/clm/clm.h by bindings/luajit/gen_cdef.lua. Do not edit:"
  b[#b + 1] = "-- regenerate with `luajit bindings/luajit/gen_cdef.lua` (tests/test_clm.lua checks it is current)."
  b[#b + 1] = "return {"
  b[#b + 1] = string.format("  version = { major = %d, minor = %d, patch = %d, number = %d, string = %q },",
    c.CLM_VERSION_MAJOR, c.CLM_VERSION_MINOR, c.CLM_VERSION_PATCH,
    c.CLM_VERSION_MAJOR * 10000 + c.CLM_VERSION_MINOR * 100 + c.CLM_VERSION_PATCH, c.CLM_VERSION_STRING)
  b[#b + 1] = "  constants = {"
  for _, k in ipairs(p.constant_order) do
    b[#b + 1] = string.format("    %s = %s,", k, quote(c[k]))
  end
  b[#b + 1] = "  },"
  b[#b + 1] = "  functions = {"
  for _, f in ipairs(p.functions) do b[#b + 1] = string.format("    %q,", f) end
  b[#b + 1] = "  },"
  b[#b + 1] = "  cdef = [" .. eq .. "["
  b[#b + 1] = p.cdef .. "]" .. eq .. "],"
  b[#b + 1] = "}"
  return table.concat(b, "\n") .. "\n"
end

function M.default_header()
  return os.getenv("CLM_HEADER") or (script_dir() .. "/../../include/clm/clm.h")
end

function M.default_output()
  return script_dir() .. "/clm_cdef.lua"
end

local function read(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s = f:read("*a")
  f:close()
  return s
end
M.read = read

local function main(args)
  local check = false
  local rest = {}
  for _, a in ipairs(args) do
    if a == "--check" then check = true else rest[#rest + 1] = a end
  end
  local header = rest[1] or M.default_header()
  local output = rest[2] or M.default_output()
  local text = assert(read(header))
  local generated = M.generate(text)
  if check then
    local current = read(output)
    if current ~= generated then
      io.stderr:write(output .. " is stale against " .. header .. "; run: luajit bindings/luajit/gen_cdef.lua\n")
      os.exit(1)
    end
    print(output .. " is current")
    return
  end
  local f = assert(io.open(output, "wb"))
  f:write(generated)
  f:close()
  print("wrote " .. output)
end

if arg and arg[0] and arg[0]:match("gen_cdef%.lua$") and debug.getinfo(1, "S").source:match("gen_cdef%.lua$") then
  main(arg)
end

return M
