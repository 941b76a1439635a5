<?php
/*
 * gen_cdef.php -- generates src/cdef.php (the FFI::cdef text of clm, its
 * constants and its function list) from include/clm/clm.h.
 *
 *   php bindings/php/gen_cdef.php [HEADER [OUT]]           write OUT
 *   php bindings/php/gen_cdef.php --check [HEADER [OUT]]   exit 1 when OUT is stale
 *
 * HEADER defaults to $CLM_HEADER, else ../../include/clm/clm.h from this
 * script; OUT to src/cdef.php beside this script.
 *
 * It reads the header the way bindings/luajit/gen_cdef.lua does, so both
 * bindings declare the same text: comments removed; every preprocessor line
 * (continuations included) dropped, and whatever sits inside `#ifdef
 * __cplusplus` (the extern "C" guard); CLM_API removed. A declaration inside
 * any other #if is refused, because the cdef could not know which branch
 * applies. Object-like #defines with an integer or string value (or an
 * arithmetic of earlier ones) become `constants`; the others (CLM_NONE's
 * cast, the _INIT initialiser lists, CLM_API) are left out.
 *
 * Also usable as a library: require it with CLM_GEN_CDEF_LIBRARY defined and
 * call \Clm\Generator\generate($headerText).
 */

declare(strict_types=1);

namespace Clm\Generator;

/** Removes comments, keeping string and character literals and the line structure intact. */
function strip_comments(string $text): string
{
    $out = '';
    $n = strlen($text);
    $i = 0;
    while ($i < $n) {
        $two = substr($text, $i, 2);
        $c = $text[$i];
        if ($two === '/*') {
            $j = strpos($text, '*/', $i + 2);
            if ($j === false) {
                throw new \RuntimeException('gen_cdef: unterminated comment');
            }
            $newlines = substr_count(substr($text, $i, $j + 2 - $i), "\n");
            $out .= $newlines > 0 ? str_repeat("\n", $newlines) : ' ';
            $i = $j + 2;
        } elseif ($two === '//') {
            $j = strpos($text, "\n", $i);
            $i = $j === false ? $n : $j;
        } elseif ($c === '"' || $c === "'") {
            $j = $i + 1;
            while ($j < $n) {
                if ($text[$j] === '\\') {
                    $j += 2;
                } elseif ($text[$j] === $c) {
                    break;
                } else {
                    $j++;
                }
            }
            $out .= substr($text, $i, $j - $i + 1);
            $i = $j + 1;
        } else {
            // up to the next character that may start a comment or a literal; a lone '/' is text
            $j = strcspn($text, "/\"'", $i + 1) + $i + 1;
            $out .= substr($text, $i, $j - $i);
            $i = $j;
        }
    }
    return $out;
}

/**
 * The value of a #define: an integer (u/U/l/L suffixes allowed), a string
 * literal, or + - * / ( ) over integers and earlier integer constants; null
 * for anything else.
 */
function constant_value(string $value, array $constants): int|string|null
{
    $value = trim($value);
    if (preg_match('/^"([^"\\\\]*)"$/', $value, $m)) {
        return $m[1];
    }
    $expr = preg_replace('/(\d+)[uUlL]+/', '$1', $value);
    $unknown = false;
    $expr = preg_replace_callback('/[A-Za-z_]\w*/', function (array $m) use ($constants, &$unknown): string {
        $v = $constants[$m[0]] ?? null;
        if (!is_int($v)) {
            $unknown = true;
            return $m[0];
        }
        return (string) $v;
    }, $expr);
    if ($unknown || preg_match('/[^\d\s+\-*\/()]/', $expr) || !preg_match('/\d/', $expr)) {
        return null;
    }
    return evaluate($expr);
}

/**
 * Evaluates + - * / and parentheses over integers; null when malformed or not
 * an integer. The caller has checked that only digits, blanks, operators and
 * parentheses are left, so eval() runs arithmetic and nothing else.
 */
function evaluate(string $expr): ?int
{
    try {
        $v = eval('return ' . $expr . ';');
    } catch (\Throwable) {
        return null;
    }
    if (is_int($v)) {
        return $v;
    }
    return is_float($v) && floor($v) === $v ? (int) $v : null;
}

/**
 * Parses clm.h text; returns ['cdef' => string, 'functions' => list of names,
 * 'constants' => [NAME => value] in header order].
 */
function parse(string $text): array
{
    $text = strip_comments(str_replace("\r\n", "\n", $text));
    $text = str_replace("\\\n", ' ', $text); // join continuation lines

    $lines = [];
    $stack = [];
    $constants = [];
    $lineno = 0;
    foreach (explode("\n", $text) as $line) {
        $lineno++;
        if (preg_match('/^\s*#\s*([A-Za-z]+)(.*)$/', $line, $d)) {
            [, $directive, $rest] = $d;
            $rest = trim($rest);
            if ($directive === 'ifdef' || $directive === 'ifndef' || $directive === 'if') {
                $isCpp = str_contains($rest, '__cplusplus');
                $negated = $directive === 'ifndef' || preg_match('/^!\s*defined/', $rest) === 1;
                if ($isCpp) {
                    $stack[] = $negated ? 'keep' : 'drop';
                } elseif ($directive === 'ifndef' && $stack === []) {
                    $stack[] = 'keep'; // the include guard
                } else {
                    $stack[] = 'unknown';
                }
            } elseif ($directive === 'else' || $directive === 'elif') {
                $top = count($stack) - 1;
                if ($top >= 0 && $stack[$top] !== 'unknown') {
                    $stack[$top] = $stack[$top] === 'drop' ? 'keep' : 'drop';
                }
            } elseif ($directive === 'endif') {
                array_pop($stack);
            } elseif ($directive === 'define' && !in_array('drop', $stack, true)) {
                if (preg_match('/^([A-Za-z_]\w*)(.*)$/', $rest, $def) && !str_starts_with($def[2], '(')) {
                    $v = constant_value($def[2], $constants);
                    if ($v !== null && !in_array('unknown', $stack, true)) {
                        $constants[$def[1]] = $v;
                    }
                }
            }
        } elseif (!in_array('drop', $stack, true)) {
            if (in_array('unknown', $stack, true) && trim($line) !== '') {
                throw new \RuntimeException("gen_cdef: line $lineno: a declaration inside an #if gen_cdef cannot evaluate: " . trim($line));
            }
            $lines[] = rtrim($line);
        }
    }
    if ($stack !== []) {
        throw new \RuntimeException('gen_cdef: unbalanced #if/#endif');
    }

    // collapse blank lines (none inside braces or parentheses), trim the ends
    $out = [];
    $blank = false;
    $depth = 0;
    foreach ($lines as $l) {
        if ($l === '') {
            $blank = $out !== [] && $depth === 0;
            continue;
        }
        if ($blank) {
            $out[] = '';
        }
        $out[] = $l;
        $blank = false;
        $stripped = preg_replace('/"[^"]*"/', '', $l);
        $depth += preg_match_all('/[{(]/', $stripped) - preg_match_all('/[})]/', $stripped);
    }
    $body = implode("\n", $out) . "\n";

    // functions: the declarations that carry CLM_API, in header order
    preg_match_all('/\bCLM_API\b([^;]*);/', $body, $decls);
    $functions = [];
    foreach ($decls[1] as $decl) {
        if (preg_match('/([A-Za-z_]\w*)\s*\(/', $decl, $f)) {
            $functions[] = $f[1];
        }
    }
    $cdef = preg_replace('/\bCLM_API\b\s*/', '', $body);
    return ['cdef' => $cdef, 'functions' => $functions, 'constants' => $constants];
}

/** The text of src/cdef.php for a header's text. */
function generate(string $text): string
{
    $p = parse($text);
    $c = $p['constants'];
    foreach (['CLM_VERSION_MAJOR', 'CLM_VERSION_MINOR', 'CLM_VERSION_PATCH', 'CLM_VERSION_STRING'] as $k) {
        if (!array_key_exists($k, $c)) {
            throw new \RuntimeException("gen_cdef: the header has no #define $k");
        }
    }
    $marker = 'CDEF';
    while (preg_match('/^\s*' . $marker . '\b/m', $p['cdef'])) {
        $marker .= '_';
    }
    $b = [];
    $b[] = '<?php';
    $b[] = '// cdef.php -- GENERATED from include/clm/clm.h by bindings/php/gen_cdef.php. Do not edit:';
    $b[] = '// regenerate with `php bindings/php/gen_cdef.php` (tests/test_cdef.php checks it is current).';
    $b[] = 'return [';
    $b[] = sprintf(
        "    'version' => ['major' => %d, 'minor' => %d, 'patch' => %d, 'number' => %d, 'string' => %s],",
        $c['CLM_VERSION_MAJOR'],
        $c['CLM_VERSION_MINOR'],
        $c['CLM_VERSION_PATCH'],
        $c['CLM_VERSION_MAJOR'] * 10000 + $c['CLM_VERSION_MINOR'] * 100 + $c['CLM_VERSION_PATCH'],
        var_export($c['CLM_VERSION_STRING'], true)
    );
    $b[] = "    'constants' => [";
    foreach ($c as $k => $v) {
        $b[] = sprintf('        %s => %s,', var_export($k, true), var_export($v, true));
    }
    $b[] = '    ],';
    $b[] = "    'functions' => [";
    foreach ($p['functions'] as $f) {
        $b[] = sprintf('        %s,', var_export($f, true));
    }
    $b[] = '    ],';
    $b[] = "    'cdef' => <<<'$marker'";
    $b[] = $p['cdef'] . $marker . ',';
    $b[] = '];';
    return implode("\n", $b) . "\n";
}

function default_header(): string
{
    $env = getenv('CLM_HEADER');
    return $env !== false && $env !== '' ? $env : __DIR__ . '/../../include/clm/clm.h';
}

function default_output(): string
{
    return __DIR__ . '/src/cdef.php';
}

/** The command line: write OUT, or with --check exit 1 when it is stale. */
function main(array $args): int
{
    $check = false;
    $rest = [];
    foreach ($args as $a) {
        if ($a === '--check') {
            $check = true;
        } else {
            $rest[] = $a;
        }
    }
    $header = $rest[0] ?? default_header();
    $output = $rest[1] ?? default_output();
    $text = @file_get_contents($header);
    if ($text === false) {
        fwrite(STDERR, "gen_cdef: cannot read $header\n");
        return 2;
    }
    $generated = generate($text);
    if ($check) {
        $current = @file_get_contents($output);
        if ($current !== $generated) {
            fwrite(STDERR, "$output is stale against $header; run: php bindings/php/gen_cdef.php\n");
            return 1;
        }
        echo "$output is current\n";
        return 0;
    }
    if (file_put_contents($output, $generated) === false) {
        fwrite(STDERR, "gen_cdef: cannot write $output\n");
        return 2;
    }
    echo "wrote $output\n";
    return 0;
}

if (!defined('CLM_GEN_CDEF_LIBRARY') && PHP_SAPI === 'cli' && realpath($_SERVER['SCRIPT_FILENAME'] ?? '') === __FILE__) {
    exit(main(array_slice($argv, 1)));
}
