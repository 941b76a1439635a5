<?php
/*
 * test_coverage.php -- every public C function is reachable from the Clm\
 * classes, and the PHP enums and exceptions mirror the header's.
 *
 * When a function is added to clm.h: regenerate the declarations
 * (`php bindings/php/gen_cdef.php`, after which the function is callable raw
 * as \Clm\Library::ffi()->clm_...), then wrap it in the class of its object;
 * this test lists the functions that no class calls yet.
 */

declare(strict_types=1);

require __DIR__ . '/harness.php';

use Clm\ClmException;
use Clm\Format;
use Clm\Library;
use Clm\StageKind;
use Clm\Status;

$header = getenv('CLM_HEADER') ?: REPO . '/include/clm/clm.h';
$body = preg_replace(['#/\*.*?\*/#s', '#//[^\n]*#'], ' ', file_get_contents($header));

/** typedef enum name { A = 0, ... } name;  ->  [name => [A => 0, ...]] */
function header_enums(string $body): array
{
    preg_match_all('/typedef\s+enum\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;/s', $body, $m, PREG_SET_ORDER);
    $enums = [];
    foreach ($m as $e) {
        $values = [];
        $next = 0;
        foreach (explode(',', $e[2]) as $item) {
            $item = trim($item);
            if ($item === '') {
                continue;
            }
            if (str_contains($item, '=')) {
                [$key, $value] = array_map('trim', explode('=', $item, 2));
                $next = intval($value, 0);
            } else {
                $key = $item;
            }
            $values[$key] = $next++;
        }
        $enums[$e[3]] = $values;
    }
    return $enums;
}

/** Every C function the classes of src/ call: `->clm_name(` or `call('clm_name'` (also mutate, text, validate). */
function wrapped_functions(): array
{
    $used = [];
    foreach (glob(__DIR__ . '/../src/*.php') as $file) {
        if (basename($file) === 'cdef.php') {
            continue;
        }
        preg_match_all("/(?:->(clm_\w+)\(|\b(?:call|mutate|text|validate)\('(clm_\w+)')/", file_get_contents($file), $m);
        foreach (array_merge($m[1], $m[2]) as $name) {
            if ($name !== '') {
                $used[$name] = true;
            }
        }
    }
    return $used;
}

test('every function of clm.h is called by a Clm\ class', function () {
    $used = wrapped_functions();
    $missing = array_values(array_filter(Library::defs()['functions'], fn ($f) => !isset($used[$f])));
    eq($missing, [], 'functions of clm.h that no class of bindings/php/src calls (wrap them)');
});

test('the classes call no function the header lacks', function () {
    $declared = array_flip(Library::defs()['functions']);
    $stale = array_keys(array_filter(wrapped_functions(), fn ($_, $f) => !isset($declared[$f]), ARRAY_FILTER_USE_BOTH));
    eq($stale, [], 'functions called but not in clm.h');
});

test('the PHP enums mirror the header\'s', function () use ($body) {
    $enums = header_enums($body);
    $mirrored = ['clm_status' => [Status::class, 'CLM_E_'], 'clm_stage_kind' => [StageKind::class, 'CLM_STAGE_'],
        'clm_model_format' => [Format::class, 'CLM_FORMAT_']];
    foreach ($mirrored as $cname => [$class, $prefix]) {
        check(isset($enums[$cname]), "clm.h has $cname");
        $expected = [];
        foreach ($enums[$cname] as $k => $v) {
            $expected[$k === 'CLM_OK' ? 'OK' : substr($k, strlen($prefix))] = $v;
        }
        $actual = [];
        foreach ($class::cases() as $case) {
            $actual[$case->name] = $case->value;
        }
        eq($actual, $expected, $class);
    }
    eq(array_keys($enums), ['clm_status', 'clm_stage_kind', 'clm_model_format', 'clm_export_format'], 'the enums of clm.h');
    eq($enums['clm_export_format'], ['CLM_EXPORT_CSV' => 0, 'CLM_EXPORT_JSON' => 1], 'clm_export_format (Portfolio::export)');
});

test('every status has its exception class, named after it', function () use ($body) {
    foreach (header_enums($body)['clm_status'] as $name => $code) {
        if ($code === 0) {
            continue;
        }
        $class = ClmException::classFor($code);
        check($class !== ClmException::class, "$name has a class");
        $words = str_replace(' ', '', ucwords(strtolower(str_replace('_', ' ', substr($name, 6)))));
        eq($class, "Clm\\{$words}Exception", "the class of $name");
        eq(\Clm\statusName($code), $name, 'clm_status_name');
        eq(Status::from($code)->constantName(), $name, 'Status::constantName');
    }
    eq(ClmException::classFor(999), ClmException::class, 'an unknown code');
});

test('every handle type has its class', function () use ($body) {
    preg_match_all('/typedef\s+struct\s+(\w+)\s+(\w+)\s*;/', $body, $m);
    $classes = ['clm_model' => \Clm\Model::class, 'clm_model_builder' => \Clm\ModelBuilder::class,
        'clm_portfolio' => \Clm\Portfolio::class, 'clm_policy' => \Clm\Policy::class,
        // The typed result lists are read whole and freed at once by TypedList.
        'clm_recommendation_list' => \Clm\TypedList::class, 'clm_plan_list' => \Clm\TypedList::class,
        'clm_funnel_list' => \Clm\TypedList::class];
    eq($m[2], array_keys($classes), 'the opaque handles of clm.h');
    foreach ($classes as $class) {
        if ($class === \Clm\TypedList::class) {
            continue; // reads a list whole and frees it in the same call: nothing to own
        }
        check(is_subclass_of($class, \Clm\Handle::class), "$class owns a handle");
    }
});

finish();
