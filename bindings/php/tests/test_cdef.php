<?php
/*
 * test_cdef.php -- the generated declarations (src/cdef.php) against clm.h and
 * the library; the generator itself; loading the library and its version.
 */

declare(strict_types=1);

require __DIR__ . '/harness.php';
const CLM_GEN_CDEF_LIBRARY = true;
require_once __DIR__ . '/../gen_cdef.php';

use Clm\Library;
use Clm\LibraryException;

$header = \Clm\Generator\default_header();
$headerText = file_get_contents($header);

/** The names of the CLM_API functions of a header, read independently of the generator. */
function header_functions(string $text): array
{
    $text = preg_replace('#/\*.*?\*/#s', ' ', $text);
    $names = [];
    foreach (explode("\n", $text) as $line) {
        if (preg_match('/^\s*#/', $line)) {
            continue;
        }
        preg_match_all('/CLM_API[^;(]*?([A-Za-z_]\w*)\s*\(/', $line, $m);
        array_push($names, ...$m[1]);
    }
    return $names;
}

test('src/cdef.php is current with clm.h', function () use ($header, $headerText) {
    $committed = file_get_contents(\Clm\Generator\default_output());
    check(\Clm\Generator\generate($headerText) === $committed,
        "bindings/php/src/cdef.php is stale against $header; run: php bindings/php/gen_cdef.php");
});

test('gen_cdef.php --check says so', function () use ($header) {
    $script = escapeshellarg(__DIR__ . '/../gen_cdef.php');
    exec(PHP_BINARY . " $script --check " . escapeshellarg($header) . ' 2>&1', $out, $rc);
    eq($rc, 0, 'exit status of --check on the committed file: ' . implode("\n", $out));
    $stale = tempnam(sys_get_temp_dir(), 'cdef');
    file_put_contents($stale, "<?php return [];\n");
    exec(PHP_BINARY . " $script --check " . escapeshellarg($header) . ' ' . escapeshellarg($stale) . ' 2>&1', $out2, $rc2);
    unlink($stale);
    eq($rc2, 1, 'exit status of --check on a stale file');
    check(str_contains(implode("\n", $out2), 'run: php bindings/php/gen_cdef.php'), 'the hint names the command');
});

test('every CLM_API function of the header is declared and exported', function () use ($headerText) {
    $names = header_functions($headerText);
    check(count($names) > 10, 'read too few declarations from the header');
    eq(Library::defs()['functions'], $names, 'the declared functions, in header order');
    $ffi = Library::ffi(); // FFI::cdef resolves every declared function, or throws
    foreach ($names as $name) {
        check($ffi->$name instanceof \FFI\CData, "$name is reachable");
    }
});

test('the declarations are those of the LuaJIT binding', function () {
    $lua = @file_get_contents(__DIR__ . '/../../luajit/clm_cdef.lua');
    if ($lua === false) {
        echo "  (skip: no bindings/luajit/clm_cdef.lua)\n";
        return;
    }
    check(preg_match('/\n  cdef = \[(=*)\[\n(.*)\]\1\],\n\}\n$/s', $lua, $m) === 1, 'clm_cdef.lua has a cdef');
    check(Library::defs()['cdef'] . "\n" === $m[2], 'bindings/php/src/cdef.php and bindings/luajit/clm_cdef.lua declare '
        . 'different text; regenerate both: php bindings/php/gen_cdef.php && luajit bindings/luajit/gen_cdef.lua');
});

test('gen_cdef handles directives, comments, guards and constants', function () {
    $p = \Clm\Generator\parse(<<<'H'
#ifndef X_H
#define X_H
#define CLM_A 2
#define CLM_B (CLM_A * 10 + 1u) /* comment */
#define CLM_S "s"
#define CLM_NONE ((size_t)-1)
#define CLM_F(x) (x)
#define CLM_HALF (CLM_A / 4)
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
H);
    eq($p['constants'], ['CLM_A' => 2, 'CLM_B' => 21, 'CLM_S' => 's'], 'constants');
    eq($p['functions'], ['clm_f'], 'functions');
    eq($p['cdef'], "typedef struct s {\n    int a;\n    int b;\n} s;\nint clm_f(int a,\n                  int b);\n", 'cdef');
    $e = raises(\RuntimeException::class, fn () => \Clm\Generator\parse("#ifdef FOO\nint x;\n#endif\n"));
    check(str_contains($e->getMessage(), 'cannot evaluate'), $e->getMessage());
    raises(\RuntimeException::class, fn () => \Clm\Generator\parse("#ifdef __cplusplus\nint x;\n"));
    raises(\RuntimeException::class, fn () => \Clm\Generator\generate("int x;\n")); // no version macros
});

test('the generated file is PHP that loads the same data', function () use ($headerText) {
    $file = tempnam(sys_get_temp_dir(), 'cdef');
    file_put_contents($file, \Clm\Generator\generate($headerText . "\n/* CDEF */\n"));
    $defs = require $file;
    unlink($file);
    eq($defs['functions'], Library::defs()['functions'], 'functions');
    eq($defs['constants'], Library::defs()['constants'], 'constants');
});

test('version', function () {
    $n = \Clm\version();
    check(preg_match('/^(\d+)\.(\d+)\.(\d+)$/', \Clm\versionString(), $m) === 1, 'a version string');
    eq($n, (int) $m[1] * 10000 + (int) $m[2] * 100 + (int) $m[3], 'version number');
    $want = Library::defs()['version'];
    eq((int) $m[1], $want['major'], 'major');
    eq(\Clm\BINDING_VERSION, $want['string'], 'the binding is the header\'s version');
    Library::checkVersion($n, 'lib');
    $e = raises(LibraryException::class, fn () => Library::checkVersion(10100, 'lib'));
    check(str_contains($e->getMessage(), 'major version must match'), $e->getMessage());
    raises(LibraryException::class, fn () => Library::checkVersion(0, 'lib', ['major' => 0, 'minor' => 1, 'string' => '0.1.0']));
});

/** Runs PHP code in a child process with $env added; returns [exit status, output]. */
function run_php(string $code, array $env): array
{
    $autoload = var_export(realpath(__DIR__ . '/../autoload.php'), true);
    $cmd = [PHP_BINARY, '-r', "require $autoload; $code"];
    $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env + getenv());
    $out = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    return [proc_close($proc), $out];
}

test('a bad CLM_LIBRARY is a clear error', function () {
    [$rc, $out] = run_php('try { \Clm\version(); } catch (\Clm\LibraryException $e) { echo $e->getMessage(); exit(3); }',
        ['CLM_LIBRARY' => '/nonexistent/libclm.so']);
    eq($rc, 3, "exit status ($out)");
    check(str_contains($out, 'cannot load the clm C library (check CLM_LIBRARY)'), $out);
    check(str_contains($out, '/nonexistent/libclm.so'), $out);
});

test('a library that is not clm is a clear error', function () {
    [$rc, $out] = run_php('try { \Clm\version(); } catch (\Clm\LibraryException $e) { echo $e->getMessage(); exit(3); }',
        ['CLM_LIBRARY' => 'libm.so.6']);
    eq($rc, 3, "exit status ($out)");
    check(str_contains($out, 'libm.so.6: not a clm library (no clm_version_number)'), $out);
});

test('the library path is reported', function () {
    $env = getenv('CLM_LIBRARY');
    if ($env !== false && $env !== '') {
        eq(\Clm\libraryPath(), $env, 'the library loaded');
    } else {
        check(in_array(\Clm\libraryPath(), Library::candidates(), true), 'one of the candidates');
    }
});

finish();
