<?php
/*
 * functions.php -- the library-wide functions of the Clm namespace: versions,
 * presets, status names and the last error (autoload.php and Composer's
 * "files" load it).
 *
 *     echo \Clm\versionString(), ' ', implode(', ', \Clm\presets()), "\n";
 */

declare(strict_types=1);

namespace Clm;

/** CLM_NONE, (size_t)-1 ("no index"), as PHP's FFI reads a size_t: -1. */
const NONE = -1;

/** The version of this binding (the C library's is versionString()). */
const BINDING_VERSION = '0.1.0';

/** clm_version_number(): the library's version, MAJOR*10000 + MINOR*100 + PATCH. */
function version(): int
{
    return Library::ffi()->clm_version_number();
}

/** clm_version_string(): the library's version, e.g. "0.1.0". */
function versionString(): string
{
    return Library::ffi()->clm_version_string();
}

/** The path or name the C library was loaded from. */
function libraryPath(): string
{
    return Library::path();
}

/**
 * The ids of the preset models ("buttle5", "sales6", ...), in order.
 *
 * @return list<string>
 */
function presets(): array
{
    $ffi = Library::ffi();
    $ids = [];
    for ($i = 0, $n = $ffi->clm_preset_count(); $i < $n; $i++) {
        $id = $ffi->clm_preset_id($i);
        if ($id === null) {
            break;
        }
        $ids[] = $id;
    }
    return $ids;
}

/**
 * The ids of the preset policies ("seeds").
 *
 * @return list<string>
 */
function policyPresets(): array
{
    $ffi = Library::ffi();
    $ids = [];
    for ($i = 0, $n = $ffi->clm_policy_preset_count(); $i < $n; $i++) {
        $id = $ffi->clm_policy_preset_id($i);
        if ($id === null) {
            break;
        }
        $ids[] = $id;
    }
    return $ids;
}

/** clm_status_name(): the constant's name of a status, e.g. "CLM_E_PARSE". */
function statusName(int $status): string
{
    return Library::ffi()->clm_status_name($status);
}

/** clm_last_error(): the message of the last failed call on this thread ("" after a success). */
function lastError(): string
{
    return Library::ffi()->clm_last_error() ?? '';
}

/** clm_last_status(): the status of the last failed call on this thread, or 0. */
function lastStatus(): int
{
    return Library::ffi()->clm_last_status();
}

/** clm_partition_of(): the part in [0, $parts) of a partition key (an account, else a customer id). */
function partitionOf(string $key, int $parts): int
{
    $out = Library::ffi()->new('uint32_t');
    Library::call('clm_partition_of', \FFI::addr($out), $key, strlen($key), $parts);
    return $out->cdata;
}

/** clm_partial_merge_json(): the merge of two partials (JSON text) of the same analysis, model and date. */
function mergePartials(string $a, string $b): string
{
    $out = Library::stringSlot();
    $len = Library::sizeSlot();
    Library::call('clm_partial_merge_json', \FFI::addr($out), \FFI::addr($len), $a, strlen($a), $b, strlen($b));
    return Library::takeString($out, $len->cdata);
}

/**
 * clm_partial_finish_json(): the whole portfolio's document for a merged
 * partial, what `clm COMMAND --json` prints ($indent 2, with its newline).
 */
function finishPartial(Model $model, string $partial, int $indent = 2): string
{
    $out = Library::stringSlot();
    $len = Library::sizeSlot();
    Library::call('clm_partial_finish_json', \FFI::addr($out), \FFI::addr($len), $model->handle(), $partial, strlen($partial), $indent);
    return Library::takeString($out, $len->cdata);
}
