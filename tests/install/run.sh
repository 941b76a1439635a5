#!/bin/sh
# Installs clm from a build tree into a temporary prefix, then uses it from
# there, away from the source tree, the way each kind of user would:
#  1. C, with CMake's find_package(clm) and clm::clm;
#  2. C, with pkg-config;
#  3. C++, with find_package(clm COMPONENTS core) and clm::core;
#  4. a consumer that lacks a dependency of clm::core gets a clear message;
#  5. Python, from the install's PYTHONPATH, and a wheel built offline from it;
#  6. LuaJIT, from the install's share/lua/5.1 (when luajit is there);
#  7. PHP, from the install's share/clm/php (when php is there);
#  8. the JSON schemas.
# The library is found through the loader (LD_LIBRARY_PATH), never CLM_LIBRARY; Python also
# without LD_LIBRARY_PATH, in the install's library directory.
# Usage: run.sh BUILD_DIR WORK_DIR
set -eu
build="$1"
work="$2"
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
unset CLM_LIBRARY CLM_HEADER PYTHONPATH LUA_PATH 2>/dev/null || true
export LD_LIBRARY_PATH="$prefix/lib:${LD_LIBRARY_PATH:-}"
cd "$work" # nothing is found by being next to the sources

# 1. CMake package, C.
cmake -S "$here/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log"
cmake --build "$work/cmake-build" > "$work/build.log"
"$work/cmake-build/consumer"

# 2. pkg-config.
libdir=$(ls -d "$prefix"/lib*/pkgconfig | head -n 1)
PKG_CONFIG_PATH="$libdir" cc -std=c99 -Wall -Wextra -Werror -pedantic "$here/consumer/main.c" -o "$work/consumer-pc" \
    $(PKG_CONFIG_PATH="$libdir" pkg-config --cflags --libs clm)
"$work/consumer-pc"
[ "$(PKG_CONFIG_PATH="$libdir" pkg-config --modversion clm)" = "$("$work/consumer-pc" | sed -n 's/^version //p')" ]
echo "ok: find_package(clm) and pkg-config consumers built and ran"

# 3. CMake package, C++ core.
cmake -S "$here/consumer-cpp" -B "$work/cpp-build" -DCMAKE_PREFIX_PATH="$prefix" -DCLM_COMPONENTS=core > "$work/cpp-configure.log"
cmake --build "$work/cpp-build" > "$work/cpp-build.log"
[ "$("$work/cpp-build/consumer_cpp")" = "sales6 has 13 stages" ]
echo "ok: a clm::core consumer built and ran"

# 4. A dependency of clm::core missing on the consumer's side: a clear message, either way.
log_has() { # FILE TEXT: TEXT is in FILE, whatever CMake's line wrapping did to it
    tr '\n' ' ' < "$1" | tr -s ' ' | grep -qF -- "$2"
}
expect_failure() { # NAME ARGS...: configure must fail and name the missing package and its Debian package
    name="$1"
    shift
    if cmake -S "$here/consumer-cpp" -B "$work/$name" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON "$@" > "$work/$name.log" 2>&1; then
        echo "FAIL: $name configured although nlohmann_json is missing"; exit 1
    fi
    log_has "$work/$name.log" "clm::core, the C++ core of clm, needs headers that this machine lacks"
    log_has "$work/$name.log" "nlohmann_json 3.10 or later (Debian: nlohmann-json3-dev)"
    if log_has "$work/$name.log" "but the target was not found"; then
        echo "FAIL: $name stopped inside the generated targets"; exit 1
    fi
}
expect_failure missing-component -DCLM_COMPONENTS=core
expect_failure missing-link
log_has "$work/missing-link.log" "Target 'consumer_cpp' links clm::core"
cmake -S "$here/consumer" -B "$work/c-without-json" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON > "$work/c-without-json.log" 2>&1
echo "ok: a missing dependency of clm::core is named; a clm::clm consumer does not need it"

# 5. Python.
pythondir="$prefix/lib/python3/dist-packages"
PYTHONPATH="$pythondir" python3 - "$prefix" <<'PY'
import sys, clm
prefix = sys.argv[1]
assert clm.__file__.startswith(prefix), clm.__file__
assert "sales6" in clm.presets()
with clm.Portfolio() as p, clm.Policy.load("seeds") as pol:
    p.add_model(clm.Model.preset("sales6"))
    p.apply(clm.Event("acme", "2024-05-02", "stage", "presentation", manager="Ann"))
    recs = pol.recommend(p, "2024-06-03")
    assert recs and recs[0].reasons, recs
    assert p.funnel(as_of="2024-06-03")["customers"] == 1
print("python:", clm.version_string(), "from", clm.__file__)
PY
python3 -B - "$prefix/share/clm/python" "$work/wheel" <<'PY'
import os, sys, zipfile
project, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(project, "_build"))
os.chdir(project)
import clm_build
os.makedirs(out)
name = clm_build.build_wheel(out)
names = zipfile.ZipFile(os.path.join(out, name)).namelist()
assert "clm/__init__.py" in names and "clm/_lib.py" in names, names
print("python: built", name, "offline from the install")
PY
# The installed package finds the installed library by itself: no LD_LIBRARY_PATH, no CLM_LIBRARY.
env -u LD_LIBRARY_PATH PYTHONPATH="$pythondir" python3 - "$prefix" <<'PY'
import os, sys, clm
prefix = os.path.realpath(sys.argv[1])
assert os.path.realpath(clm.library_path()).startswith(prefix + os.sep), clm.library_path()
assert clm.Model.preset("buttle5").set_locale("ru").stages[0].name == "Осведомленность"
print("python: found", clm.library_path(), "without LD_LIBRARY_PATH")
PY
echo "ok: the Python package imports from the install and finds its library, and a wheel builds from it"

# 6. LuaJIT.
if command -v luajit > /dev/null 2>&1; then
    LUA_PATH="$prefix/share/lua/5.1/?.lua;;" luajit - "$prefix" <<'LUA'
local prefix = arg[1]
local clm = require("clm")
assert(package.searchpath("clm", package.path):sub(1, #prefix) == prefix, package.searchpath("clm", package.path))
local p = clm.portfolio.new()
p:add_model(clm.model.preset("sales6"))
p:apply{ customer_id = "acme", timestamp = "2024-05-02", type = "stage", value = "presentation" }
assert(clm.policy.load("seeds"):recommend(p, "2024-06-03"):find('"reasons":[', 1, true))
print("lua: " .. clm.version_string() .. " from " .. clm.library_path)
LUA
    echo "ok: the LuaJIT module loads from the install"
else
    echo "skip: no luajit"
fi

# 7. PHP.
if command -v php > /dev/null 2>&1; then
    php -d error_reporting=E_ALL -r '
        $prefix = $argv[1];
        require "$prefix/share/clm/php/autoload.php";
        $p = new Clm\Portfolio();
        $p->addModel(Clm\Model::preset("sales6"));
        $p->apply(new Clm\Event("acme", "2024-05-02", "stage", "presentation", manager: "Ann"));
        $recs = Clm\Policy::load("seeds")->recommend($p, "2024-06-03");
        if (!$recs || !$recs[0]->reasons || $p->funnel(null, "2024-06-03")["customers"] !== 1) { exit(1); }
        $file = (new ReflectionClass(Clm\Portfolio::class))->getFileName();
        if (strpos($file, $prefix) !== 0) { fwrite(STDERR, "loaded $file\n"); exit(1); }
        echo "php: ", Clm\versionString(), " through ", Clm\libraryPath(), "\n";
    ' "$prefix" 2>&1 | tee "$work/php.log"
    if grep -q "PHP \(Warning\|Notice\|Deprecated\|Fatal\)" "$work/php.log" || ! grep -q "^php: " "$work/php.log"; then
        echo "FAIL: the PHP binding from the install"; exit 1
    fi
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["autoload"]["psr-4"]["Clm\\"] == "src/"' \
        "$prefix/share/clm/php/composer.json"
    echo "ok: the PHP binding loads from the install"
else
    echo "skip: no php"
fi

# 8. The schemas.
for schema in "$prefix"/share/clm/schemas/*.schema.json; do
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$schema"
done
[ -f "$prefix/share/clm/schemas/model.schema.json" ]
[ -f "$prefix/share/clm/schemas/policy.schema.json" ]
echo "ok: the schemas are installed"
