<?php
/*
 * harness.php -- the tests' few helpers: test(), eq(), raises() and finish().
 *
 * Each tests/test_*.php is a plain PHP script: it prints one line per test
 * ("ok   NAME" or "FAIL NAME" and why), then "N passed, M failed", and exits
 * non-zero on any failure. Run one with
 *
 *     CLM_LIBRARY=build/libclm.so php bindings/php/tests/test_model.php
 *
 * CLM_HEADER overrides the header the declarations are checked against
 * (default: include/clm/clm.h of this repository).
 */

declare(strict_types=1);

require_once __DIR__ . '/../autoload.php';

const REPO = __DIR__ . '/../../..';

$GLOBALS['clm_test_counts'] = ['passed' => 0, 'failed' => 0];

/** Runs one test: a callable that throws on failure. */
function test(string $name, callable $fn): void
{
    try {
        $fn();
        $GLOBALS['clm_test_counts']['passed']++;
        echo "ok   $name\n";
    } catch (\Throwable $e) {
        $GLOBALS['clm_test_counts']['failed']++;
        echo "FAIL $name\n  ", get_class($e), ': ', $e->getMessage(), "\n  at ", $e->getFile(), ':', $e->getLine(), "\n";
        foreach (array_slice($e->getTrace(), 0, 4) as $frame) {
            echo '  from ', $frame['file'] ?? '?', ':', $frame['line'] ?? '?', "\n";
        }
    }
}

/** Fails unless $actual === $expected. */
function eq(mixed $actual, mixed $expected, string $what = 'value'): void
{
    if ($actual !== $expected) {
        throw new \AssertionError("$what: expected " . var_export($expected, true) . ', got ' . var_export($actual, true));
    }
}

/** Fails unless $condition holds. */
function check(bool $condition, string $what): void
{
    if (!$condition) {
        throw new \AssertionError($what);
    }
}

/**
 * Runs $fn, which must throw a $class; returns what it threw.
 *
 * @template T of \Throwable
 * @param class-string<T> $class
 * @return T
 */
function raises(string $class, callable $fn): \Throwable
{
    try {
        $fn();
    } catch (\Throwable $e) {
        if (!$e instanceof $class) {
            throw new \AssertionError("expected $class, got " . get_class($e) . ': ' . $e->getMessage());
        }
        return $e;
    }
    throw new \AssertionError("expected $class, but the call succeeded");
}

/** Line and column (1-based) of the first $needle in $text. */
function position(string $text, string $needle): array
{
    $i = strpos($text, $needle);
    check($i !== false, "'$needle' is in the text");
    $before = substr($text, 0, $i);
    $nl = strrpos($before, "\n");
    return [substr_count($before, "\n") + 1, $i - ($nl === false ? -1 : $nl)];
}

/** This process's resident memory in kB (0 where /proc is missing). */
function rss_kb(): int
{
    $status = @file_get_contents('/proc/self/status');
    return $status !== false && preg_match('/^VmRSS:\s+(\d+)/m', $status, $m) ? (int) $m[1] : 0;
}

/** Prints the totals and exits: 0 when every test passed. */
function finish(): never
{
    ['passed' => $passed, 'failed' => $failed] = $GLOBALS['clm_test_counts'];
    echo "$passed passed, $failed failed\n";
    exit($failed === 0 && $passed > 0 ? 0 : 1);
}
