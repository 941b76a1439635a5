<?php

declare(strict_types=1);

namespace Clm;

/**
 * A manager's week: ranked actions fitted into the capacity with the class
 * time shares respected; what did not fit is listed with the reason.
 */
final class WeekPlan
{
    /**
     * @param list<ClassBudget> $classes
     * @param list<PlannedAction> $planned
     * @param list<NotFitted> $notFitted
     */
    public function __construct(
        public readonly string $manager,
        public readonly string $weekStart,
        public readonly float $capacityMinutes,
        public readonly float $plannedMinutes,
        public readonly array $classes,
        public readonly array $planned,
        public readonly array $notFitted,
    ) {
    }

    /** @internal From the JSON of clm_policy_plan_week() (docs/policy-format.md). */
    public static function fromJson(array $j): self
    {
        return new self(
            $j['manager'],
            $j['week_start'],
            (float) $j['capacity_minutes'],
            (float) $j['planned_minutes'],
            array_map(fn (array $c) => new ClassBudget($c['class'], (float) $c['budget_minutes'], (float) $c['used_minutes']),
                $j['classes']),
            array_map(fn (array $a) => new PlannedAction($a['day'], (float) $a['minutes'], Recommendation::fromJson($a)),
                $j['planned']),
            array_map(fn (array $a) => new NotFitted($a['not_fitted_because'], (float) $a['minutes'], Recommendation::fromJson($a)),
                $j['not_fitted']),
        );
    }
}
