<?php

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/**
 * An immutable policy (clm_policy): next-action rules as data
 * (docs/policy-format.md). Create one with load() or fromJson().
 *
 * Recommendations take an explicit as-of date (the library never reads the
 * clock) and come back ranked, each with the rule that fired and the facts
 * that matched:
 *
 *     $policy = Policy::load('seeds');
 *     foreach ($policy->recommend($portfolio, '2017-06-30', manager: 'Moses Frase', limit: 5) as $r) {
 *         echo $r->customerId, ' ', $r->action->goal, ' -- ', implode('; ', $r->reasons), "\n";
 *     }
 */
final class Policy extends Handle
{
    private function __construct()
    {
    }

    private static function wrap(CData $ptr): self
    {
        $p = new self();
        $p->adopt($ptr);
        return $p;
    }

    protected function release(CData $ptr): void
    {
        Library::ffi()->clm_policy_free($ptr);
    }

    /**
     * A preset policy id ("seeds", see \Clm\policyPresets()) or a JSON policy
     * file. Throws IoException, ParseException, ValidationException.
     */
    public static function load(string $presetOrPath): self
    {
        $out = Library::ffi()->new('clm_policy *');
        Library::call('clm_policy_load', FFI::addr($out), Library::text($presetOrPath, 'presetOrPath'));
        return self::wrap($out);
    }

    /**
     * A policy from its JSON definition. Throws ParseException or
     * ValidationException, listing every problem in $problems.
     */
    public static function fromJson(string $json): self
    {
        $out = Library::ffi()->new('clm_policy *');
        Library::call('clm_policy_from_json', FFI::addr($out), $json, strlen($json));
        return self::wrap($out);
    }

    /**
     * Checks a JSON policy; returns every problem ([] when valid). $name is the
     * file name the problems carry ("<input>" when null).
     *
     * @return list<Problem>
     */
    public static function validateJson(string $json, ?string $name = null): array
    {
        return Model::validate('clm_policy_validate_json', $json, $name);
    }

    /** The policy's id. */
    public function id(): string
    {
        return Library::ffi()->clm_policy_id($this->handle()) ?? '';
    }

    /**
     * The rule ids, in policy order.
     *
     * @return list<string>
     */
    public function rules(): array
    {
        $ffi = Library::ffi();
        $h = $this->handle();
        $ids = [];
        for ($i = 0, $n = $ffi->clm_policy_rule_count($h); $i < $n; $i++) {
            $ids[] = $ffi->clm_policy_rule_id($h, $i) ?? '';
        }
        return $ids;
    }

    /**
     * The next actions for the whole portfolio as of a date, ranked.
     *
     * $manager keeps only that manager's customers; $limit caps the count (0:
     * all); $threads (0: all cores); $perCustomer recommendations per customer
     * (0: the policy's per_customer_limit). $progress(int $done, int $total) is
     * called on this thread; returning true cancels and throws a
     * CancelledException. A Throwable thrown by $progress cancels too: the
     * CancelledException carries it as getPrevious(). Throws
     * NotFoundException for a model id in the policy that the portfolio lacks.
     *
     * @return list<Recommendation>
     */
    public function recommend(Portfolio $portfolio, string|\DateTimeInterface $asOf, ?string $manager = null,
        int $limit = 0, int $threads = 0, ?callable $progress = null, int $perCustomer = 0): array
    {
        if ($limit < 0 || $threads < 0 || $perCustomer < 0) {
            throw new \ValueError('limit, threads and perCustomer must be >= 0');
        }
        $ffi = Library::ffi();
        [$opts, $managerText] = self::recommendOptions($manager, $limit, $threads, $perCustomer);
        $errors = new CallbackErrors();
        $id = null;
        if ($progress !== null) {
            [$id, $payload, $closure] = Callbacks::add($progress, $errors); // $closure: alive during the call
            $opts->progress = Callbacks::progressFn();
            $opts->payload = $payload;
        }
        $out = Library::stringSlot();
        $len = Library::sizeSlot();
        try {
            $status = $ffi->clm_policy_recommend(FFI::addr($out), FFI::addr($len), $this->handle(),
                $portfolio->handle(), Library::date($asOf, 'asOf'), FFI::addr($opts));
        } finally {
            if ($id !== null) {
                Callbacks::remove($id);
            }
        }
        if ($status !== 0) {
            throw ClmException::fromLastError($status, 'clm_policy_recommend', $errors->last());
        }
        return Recommendation::listFromJson(Library::takeString($out, $len->cdata));
    }

    /**
     * The next actions for one customer as of a date, ranked. Throws NotFoundException.
     *
     * @return list<Recommendation>
     */
    public function recommendCustomer(Portfolio $portfolio, string $customerId, string|\DateTimeInterface $asOf): array
    {
        $out = Library::stringSlot();
        $len = Library::sizeSlot();
        Library::call('clm_policy_recommend_customer', FFI::addr($out), FFI::addr($len), $this->handle(),
            $portfolio->handle(), Library::text($customerId, 'customerId'), Library::date($asOf, 'asOf'));
        return Recommendation::listFromJson(Library::takeString($out, $len->cdata));
    }

    /**
     * A manager's week starting on the Monday of $week (facts as of $week),
     * within $hours per week (0: the policy's capacity).
     */
    public function planWeek(Portfolio $portfolio, string $manager, string|\DateTimeInterface $week, float $hours = 0): WeekPlan
    {
        $out = Library::stringSlot();
        $len = Library::sizeSlot();
        Library::call('clm_policy_plan_week', FFI::addr($out), FFI::addr($len), $this->handle(), $portfolio->handle(),
            Library::text($manager, 'manager'), Library::date($week, 'week'), $hours);
        return WeekPlan::fromJson(Library::json(Library::takeString($out, $len->cdata)));
    }

    /**
     * The ranked recommendations read through the typed list of the C ABI
     * (clm_policy_recommend_list, no JSON): arrays whose 'reasons' are codes
     * ['id', 'fact', 'op', 'threshold', 'threshold_text', 'actual',
     * 'actual_text', 'subject', 'text'], the text in the portfolio's locale.
     *
     * @return list<array<string, mixed>>
     */
    public function recommendList(Portfolio $portfolio, string|\DateTimeInterface $asOf, ?string $manager = null,
        int $limit = 0, int $perCustomer = 0): array
    {
        if ($limit < 0 || $perCustomer < 0) {
            throw new \ValueError('limit and perCustomer must be >= 0');
        }
        $ffi = Library::ffi();
        [$opts, $managerText] = self::recommendOptions($manager, $limit, 0, $perCustomer);
        $out = $ffi->new('clm_recommendation_list *');
        Library::call('clm_policy_recommend_list', FFI::addr($out), $this->handle(), $portfolio->handle(),
            Library::date($asOf, 'asOf'), FFI::addr($opts));
        return TypedList::recommendations($out);
    }

    /**
     * A manager's week read through the typed list of the C ABI
     * (clm_policy_plan_week_list): the capacity, the planned minutes, and the
     * entries (planned first, then not fitted), each with its recommendation.
     *
     * @return array{capacity_minutes: float, planned_minutes: float, entries: list<array<string, mixed>>}
     */
    public function planWeekList(Portfolio $portfolio, string $manager, string|\DateTimeInterface $week, float $hours = 0): array
    {
        $out = Library::ffi()->new('clm_plan_list *');
        Library::call('clm_policy_plan_week_list', FFI::addr($out), $this->handle(), $portfolio->handle(),
            Library::text($manager, 'manager'), Library::date($week, 'week'), $hours);
        return TypedList::plan($out);
    }

    /**
     * The clm_recommend_options of recommend() and recommendList(), and the
     * manager's C string, which must live as long as the options are used.
     *
     * @return array{0: \FFI\CData, 1: ?\FFI\CData}
     */
    private static function recommendOptions(?string $manager, int $limit, int $threads, int $perCustomer): array
    {
        $opts = Library::ffi()->new('clm_recommend_options');
        $opts->struct_size = FFI::sizeof($opts);
        $managerText = $manager === null ? null : Library::cString(Library::text($manager, 'manager'));
        $opts->manager = $managerText === null ? null : FFI::cast('char *', $managerText);
        $opts->limit = $limit;
        $opts->threads = $threads;
        $opts->per_customer = $perCustomer;
        return [$opts, $managerText];
    }
}
