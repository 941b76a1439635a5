<?php
/*
 * TypedList.php -- reading the C ABI's typed result lists (clm_*_list:
 * recommendations with their reasons as codes, weekly plan entries, funnel
 * stages) into PHP arrays without JSON (issue 15, "Typed results in C"). The
 * C strings are borrowed from the list, so everything is copied before the
 * list is freed.
 */

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/** Readers of the typed result lists; used by Policy and Portfolio. */
final class TypedList
{
    private function __construct()
    {
    }

    // PHP's FFI hands a `const char *` field over as a PHP string already (NULL as null).
    private static function optString(mixed $p): ?string
    {
        if ($p === null || is_string($p)) {
            return $p;
        }
        return FFI::isNull($p) ? null : FFI::string($p);
    }

    private static function str(mixed $p): string
    {
        return self::optString($p) ?? '';
    }

    private static function optNumber(float $x): ?float
    {
        return is_nan($x) ? null : $x;
    }

    /**
     * Entry $i of a recommendation list (or of a plan list: $ofPlan), with its reasons as codes.
     *
     * @return array<string, mixed>
     */
    public static function recommendation(bool $ofPlan, CData $list, int $i): array
    {
        $ffi = Library::ffi();
        $r = $ffi->new('clm_recommendation');
        $r->struct_size = FFI::sizeof($r);
        if ($ofPlan) {
            Library::call('clm_plan_list_recommendation', $list, $i, FFI::addr($r));
        } else {
            Library::call('clm_recommendation_list_get', $list, $i, FFI::addr($r));
        }
        $reasons = [];
        $c = $ffi->new('clm_reason');
        for ($k = 0; $k < $r->reason_count; $k++) {
            $c->struct_size = FFI::sizeof($c);
            if ($ofPlan) {
                Library::call('clm_plan_list_reason', $list, $i, $k, FFI::addr($c));
            } else {
                Library::call('clm_recommendation_list_reason', $list, $i, $k, FFI::addr($c));
            }
            $reasons[] = [
                'id' => self::str($c->id), 'fact' => self::str($c->fact), 'op' => self::str($c->op),
                'threshold' => self::optNumber($c->threshold), 'threshold_text' => self::optString($c->threshold_text),
                'actual' => self::optNumber($c->actual), 'actual_text' => self::optString($c->actual_text),
                'subject' => self::optString($c->subject), 'text' => self::str($c->text),
            ];
        }
        return [
            'rank' => $r->rank, 'customer_id' => self::str($r->customer_id), 'account' => self::optString($r->account),
            'manager' => self::str($r->manager), 'class' => self::str($r->customer_class),
            'model' => self::optString($r->model), 'stage' => self::optString($r->stage), 'rule' => self::str($r->rule),
            'scope' => self::str($r->scope), 'kind' => self::str($r->kind), 'channel' => self::str($r->channel),
            'goal' => self::str($r->goal), 'product' => self::str($r->product), 'document' => self::str($r->document),
            'target_stage' => self::str($r->target_stage), 'due' => self::str($r->due), 'task' => self::str($r->task),
            'why' => self::str($r->why), 'priority' => $r->priority, 'score' => $r->score, 'urgency' => $r->urgency,
            'value' => $r->value, 'p_won' => self::optNumber($r->p_won), 'alternative_count' => $r->alternative_count,
            'reasons' => $reasons,
        ];
    }

    /**
     * Every entry of a clm_recommendation_list, which is then freed.
     *
     * @return list<array<string, mixed>>
     */
    public static function recommendations(CData $list): array
    {
        $ffi = Library::ffi();
        try {
            $out = [];
            $n = $ffi->clm_recommendation_list_count($list);
            for ($i = 0; $i < $n; $i++) {
                $out[] = self::recommendation(false, $list, $i);
            }
            return $out;
        } finally {
            $ffi->clm_recommendation_list_free($list);
        }
    }

    /**
     * The entries of a clm_plan_list (planned first, then not fitted), which is then freed.
     *
     * @return array{capacity_minutes: float, planned_minutes: float, entries: list<array<string, mixed>>}
     */
    public static function plan(CData $list): array
    {
        $ffi = Library::ffi();
        try {
            $planned = $ffi->new('double');
            $capacity = $ffi->clm_plan_list_capacity_minutes($list, FFI::addr($planned));
            $entries = [];
            $e = $ffi->new('clm_plan_entry');
            $n = $ffi->clm_plan_list_count($list);
            for ($i = 0; $i < $n; $i++) {
                $e->struct_size = FFI::sizeof($e);
                Library::call('clm_plan_list_get', $list, $i, FFI::addr($e));
                $entries[] = [
                    'planned' => $e->planned !== 0, 'day' => self::optString($e->day), 'minutes' => $e->minutes,
                    'not_fitted_because' => self::optString($e->not_fitted_because),
                    'recommendation' => self::recommendation(true, $list, $i),
                ];
            }
            return ['capacity_minutes' => $capacity, 'planned_minutes' => $planned->cdata, 'entries' => $entries];
        } finally {
            $ffi->clm_plan_list_free($list);
        }
    }

    /**
     * The stages of a clm_funnel_list, which is then freed.
     *
     * @return list<array<string, mixed>>
     */
    public static function funnel(CData $list): array
    {
        $ffi = Library::ffi();
        try {
            $out = [];
            $s = $ffi->new('clm_funnel_stage');
            $n = $ffi->clm_funnel_list_count($list);
            for ($i = 0; $i < $n; $i++) {
                $s->struct_size = FFI::sizeof($s);
                Library::call('clm_funnel_list_get', $list, $i, FFI::addr($s));
                $out[] = [
                    'id' => self::str($s->id), 'name' => self::str($s->name), 'entered' => $s->entered,
                    'current' => $s->current, 'lost_from' => $s->lost_from, 'median_days' => self::optNumber($s->median_days),
                    'conversion_rate' => self::optNumber($s->conversion_rate),
                ];
            }
            return $out;
        } finally {
            $ffi->clm_funnel_list_free($list);
        }
    }
}
